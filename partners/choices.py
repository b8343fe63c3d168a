from django.db import models
from django.utils.translation import gettext_lazy as _


class Party(models.TextChoices):
    """The two sides of the agreement."""

    IMIGRASI = "imigrasi", _("Imigrasi")
    POS = "pos", _("PT Pos")


class ObligationStatus(models.TextChoices):
    OPEN = "open", _("Not started")  # nothing done yet
    IN_PROGRESS = "in_progress", _("In progress")  # being worked on
    MET = "met", _("Met")  # fulfilled
    NOT_MET = "not_met", _("Not met")  # found wanting at an evaluation


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")  # on the calendar
    HELD = "held", _("Held")  # took place, minutes recorded


class ActionItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class Indicator(models.TextChoices):
    """The seven partnership indicators of the Makassar shelter paper, scored 1-5."""

    LEADERSHIP = "leadership", _("Leadership")
    USER_INVOLVEMENT = "user_involvement", _("User involvement")
    BUDGET_ALLOCATION = "budget_allocation", _("Budget allocation")
    FORMALISED_PARTNERSHIP = "formalised_partnership", _("Formalised partnership")
    STRENGTHENING_COOPERATION = "strengthening_cooperation", _("Strengthening cooperation")
    BREAKING_SILOS = "breaking_silos", _("Breaking silos")
    FLEXIBILITY = "flexibility", _("Flexibility")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")  # raised by one side
    DELIBERATION = "deliberation", _("In deliberation")  # musyawarah under way
    CONSENSUS = "consensus", _("Consensus reached")  # both sides agreed on the outcome
    CLOSED = "closed", _("Closed")


class UptakeSource(models.TextChoices):
    ENTERED = "entered", _("Entered by Imigrasi")
    CSV = "csv", _("Imported from CSV")
    STUDY = "study", _("Figures of the study")
