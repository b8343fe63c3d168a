from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import StateEvent, TimeStampedModel
from partners.choices import (
    ActionItemStatus,
    DisputeStatus,
    Indicator,
    MeetingStatus,
    ObligationStatus,
    Party,
    UptakeSource,
)

# The partnership: agreements, evaluations (article 12), disputes (article 14) and monthly uptake.


class Agreement(TimeStampedModel):
    """A cooperation agreement between Imigrasi and PT Pos; amendments keep its history."""

    title = models.CharField(_("title"), max_length=300)
    number_imigrasi = models.CharField(_("Imigrasi's number"), max_length=200, blank=True)
    number_pos = models.CharField(_("PT Pos's number"), max_length=200, blank=True)
    signed_on = models.DateField(_("signed on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    parties = models.ManyToManyField("organisations.Organisation", verbose_name=_("parties"), blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-valid_from", "-pk"]

    def __str__(self) -> str:
        return self.title


class AgreementArticle(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="articles")
    number = models.CharField(_("article"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="one_article_per_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Obligation(TimeStampedModel):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="obligations")
    article = models.ForeignKey(
        AgreementArticle, null=True, blank=True, on_delete=models.SET_NULL, related_name="obligations"
    )
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    text = models.TextField(_("obligation"))
    status = models.CharField(
        _("status"), max_length=12, choices=ObligationStatus.choices, default=ObligationStatus.OPEN
    )
    status_note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["party", "pk"]


class AgreementAttachment(TimeStampedModel):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("PDF file"), upload_to="agreements/%Y/")
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey("portal.User", null=True, on_delete=models.SET_NULL, related_name="+")


class AgreementAmendment(TimeStampedModel):
    """One amendment: what it changed, with the values before, so the history stays readable."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField(_("amendment"))
    signed_on = models.DateField(_("signed on"))
    summary = models.TextField(_("summary"))
    before = models.JSONField(_("values before"), default=dict)
    after = models.JSONField(_("values after"), default=dict)
    recorded_by = models.ForeignKey("portal.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="one_amendment_per_number")
        ]


class TransferConsent(TimeStampedModel):
    """Article 7: written consent to hand rights or obligations to a third party."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="consents")
    given_by = models.CharField(_("consent given by"), max_length=10, choices=Party.choices)
    third_party = models.CharField(_("third party"), max_length=200)
    scope = models.TextField(_("what is transferred"))
    letter_reference = models.CharField(_("letter number"), max_length=200)
    given_on = models.DateField(_("given on"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    recorded_by = models.ForeignKey("portal.User", null=True, on_delete=models.SET_NULL, related_name="+")


class AgreementReminder(TimeStampedModel):
    """One expiry reminder sent; the unique pair makes the beat task safe to run again."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    recipients = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "days_before"], name="one_reminder_per_step")
        ]


class EvaluationMeeting(TimeStampedModel):
    """Article 12: the parties analyse and evaluate the service together, at least twice a year."""

    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    held_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    participants_imigrasi = models.TextField(_("participants from Imigrasi"), blank=True)
    participants_pos = models.TextField(_("participants from PT Pos"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)

    class Meta:
        verbose_name = _("evaluation meeting")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on:%d-%m-%Y}"


class ActionItem(TimeStampedModel):
    meeting = models.ForeignKey(EvaluationMeeting, on_delete=models.CASCADE, related_name="action_items")
    description = models.CharField(_("action"), max_length=500)
    owner = models.CharField(_("owner"), max_length=200)
    owner_party = models.CharField(_("side"), max_length=10, choices=Party.choices)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN
    )

    class Meta:
        ordering = ["due_on", "pk"]


class IndicatorScore(models.Model):
    meeting = models.ForeignKey(EvaluationMeeting, on_delete=models.CASCADE, related_name="scores")
    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    score = models.PositiveSmallIntegerField(_("score (1-5)"))
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "indicator"], name="one_score_per_indicator"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="score_between_1_and_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.score}"


class Dispute(TimeStampedModel):
    """Article 14(2): settled by deliberation (musyawarah)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="disputes")
    opened_by_party = models.CharField(_("raised by"), max_length=10, choices=Party.choices)
    opened_by = models.ForeignKey("portal.User", null=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=14, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    consensus = models.TextField(_("consensus"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class DisputeEvent(StateEvent):
    """One step of a dispute (``partners.services.DISPUTE_STATES``): opened, deliberation begun,
    consensus recorded, closed. Append-only; written from the day it came in, none before."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="events")
    office = models.ForeignKey(
        "organisations.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("dispute event")
        verbose_name_plural = _("dispute events")


class DisputeNote(TimeStampedModel):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey("portal.User", null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("deliberation note"))

    class Meta:
        ordering = ["created_at", "pk"]


class UptakeMonth(TimeStampedModel):
    """Passports issued by an Imigrasi office in one month; for the study's years also its delivery
    figures. ``office`` is empty only on rows entered before offices were told apart."""

    office = models.ForeignKey(
        "organisations.Office",
        verbose_name=_("Imigrasi office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    issued = models.PositiveIntegerField(_("passports issued"))
    # Only the study's years carry these; later months are counted from delivery orders.
    booked_reported = models.PositiveIntegerField(null=True, blank=True)
    delivered_reported = models.PositiveIntegerField(null=True, blank=True)
    reported_missing = models.BooleanField(default=False)  # the study prints "–"
    source = models.CharField(max_length=10, choices=UptakeSource.choices, default=UptakeSource.ENTERED)
    entered_by = models.ForeignKey("portal.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "month"], name="one_uptake_row_per_office_month"
            ),
            models.UniqueConstraint(
                fields=["year", "month"],
                condition=models.Q(office__isnull=True),
                name="one_uptake_row_per_month",
            ),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="month_1_to_12"),
        ]

    def __str__(self) -> str:
        return f"{self.month:02d}/{self.year}: {self.issued}"


class EventMonthFigure(models.Model):
    """Handoff events counted per month (WITA), Imigrasi office, area, state reached, failure reason
    and courier: the dashboard's roll-up, kept by ``partners.rollups.figures_roll_up``. Office, area
    and courier are plain ids (0 for none) so that one unique key covers every row on every database."""

    month = models.DateField()  # the first day of the month, in WITA
    office_id = models.PositiveIntegerField(default=0)  # the order's Imigrasi office
    area_id = models.PositiveIntegerField(default=0)
    to_status = models.CharField(max_length=32)
    reason = models.CharField(max_length=32, blank=True, default="")
    courier_id = models.PositiveIntegerField(default=0)
    n = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "office_id", "area_id", "to_status", "reason", "courier_id"],
                name="one_figure_per_month_and_office_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.to_status}: {self.n}"


class FigureRollupMark(models.Model):
    """How far the roll-up has counted: events with an id up to ``counted_to`` are in the figures.
    ``seen_to`` is the highest id seen at the previous run; the next run counts up to it, so an event
    whose transaction was still open then (a lower id committed later) is not skipped."""

    counted_to = models.BigIntegerField(default=0)
    seen_to = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"events counted to {self.counted_to}"
