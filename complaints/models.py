"""Complaints (issue 5): filed by anyone, routed to one agency's office, answered within 24 hours.
Created by the partners app and kept under its table names (migration ``complaints 0001``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.choices import ComplaintAuthor, ComplaintCategory, ComplaintStatus
from core.models import StateEvent, TimeStampedModel
from organisations.choices import OrganisationKind


class Complaint(TimeStampedModel):
    """A complaint with its thread. ``ticket`` is public; the complainant's link carries a secret that
    is an HMAC of the ticket and ``nonce`` under the server's key, so the database never holds it.
    ``status`` is only changed by ``complaints.services``."""

    ticket = models.CharField(_("ticket number"), max_length=12, unique=True)
    nonce = models.CharField(max_length=32, editable=False)
    category = models.CharField(_("category"), max_length=20, choices=ComplaintCategory.choices)
    text = models.TextField(_("complaint"))
    order = models.ForeignKey(
        "delivery.DeliveryOrder",
        verbose_name=_("tracking code"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    agency = models.CharField(_("answered by"), max_length=20, choices=OrganisationKind.choices)
    office = models.ForeignKey(
        "organisations.Office", verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=5, default="id")
    photo = models.FileField(_("photo"), upload_to="complaints/%Y/%m/", blank=True)
    photo_type = models.CharField(max_length=40, blank=True)  # the content type Pillow found
    filed_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.OPEN,
        editable=False,
        db_index=True,
    )
    filed_at = models.DateTimeField(_("filed at"), db_index=True)
    first_response_due_at = models.DateTimeField(_("first response due"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    receipt_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "partners_complaint"
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-filed_at", "-pk"]
        indexes = [models.Index(fields=["office", "status"])]

    def __str__(self) -> str:
        return self.ticket


class ComplaintMessage(models.Model):
    """One message of a complaint's thread (the complaint's own text is the first); append-only."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(_("from"), max_length=10, choices=ComplaintAuthor.choices)
    author = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("message"))
    created_at = models.DateTimeField(_("written at"))
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "partners_complaintmessage"
        verbose_name = _("complaint message")
        verbose_name_plural = _("complaint messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.pk}"


class ComplaintEvent(StateEvent):
    """One step of a complaint (``complaints.services.COMPLAINT_STATES``): filed, first answered,
    closed. Append-only; written from the day it came in, none before."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    office = models.ForeignKey(
        "organisations.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
