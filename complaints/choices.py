from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintAuthor(models.TextChoices):
    APPLICANT = "applicant", _("Complainant")
    STAFF = "staff", _("Agency staff")


class ComplaintCategory(models.TextChoices):
    """What a complaint is about; ``complaints.services.ROUTING`` says which agency answers it."""

    LATE = "late", _("Late delivery")
    DAMAGED_OR_LOST = "damaged_or_lost", _("Passport damaged or lost")
    COURIER_CONDUCT = "courier_conduct", _("Courier's conduct")
    PAYMENT = "payment", _("Payment")
    BOOKING = "booking", _("Booking")
    PASSPORT_DATA = "passport_data", _("Passport data or issuance")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a first response")  # filed, nobody of the agency answered yet
    ANSWERED = "answered", _("Answered")  # the agency replied at least once
    CLOSED = "closed", _("Closed")  # closed by the agency; no more replies
