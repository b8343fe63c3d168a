from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.choices import STAFF_ROLES, Role


class AppendOnlyModel(models.Model):
    """Rows written once and never changed or deleted through the ORM (events, attempts, access
    records): a correction is a new row."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(f"{self._meta.verbose_name_plural} are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(f"{self._meta.verbose_name_plural} are append-only.")


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """Anyone who logs in. Staff belong to one office and act only for it."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.APPLICANT)
    office = models.ForeignKey(
        "partners.Office",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=5, default="id")

    @property
    def is_office_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A partner system's key to the API. It acts as ``user`` (a system account of one office, with
    that account's role) and only within its scopes. Only a hash of the secret is stored."""

    class Scope(models.TextChoices):
        READ_TRACKING = "read_tracking", _("Read orders and tracking")
        WRITE_HANDOFF = "write_handoff", _("Write handoff events")
        READ_REPORTS = "read_reports", _("Read reports")
        MANAGE_PARTNERSHIP = (
            "manage_partnership",
            _("Manage the partnership (agreements, meetings, disputes)"),
        )
        HANDLE_COMPLAINTS = "handle_complaints", _("File, read and answer complaints")

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        User, verbose_name=_("acts as"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    scopes = models.JSONField(_("scopes"), default=list)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class WebhookSubscription(models.Model):
    """A partner system's URL that receives signed JSON for the events it chose."""

    class Event(models.TextChoices):
        ORDER_STATUS_CHANGED = "order.status_changed", _("Order state changed")
        BATCH_RELEASED = "batch.released", _("Batch released")
        COMPLAINT_OPENED = "complaint.opened", _("Complaint opened")
        DEADLINE_BREACHED = "deadline.breached", _("Deadline breached")

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("secret"), max_length=128)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one subscription; attempts are retried in order per order code."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")  # waiting for its (next) attempt
        SENT = "sent", _("Sent")  # the receiver answered 2xx
        ABANDONED = "abandoned", _("Abandoned")  # the subscription was switched off

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    ordering_key = models.CharField(max_length=40, blank=True, db_index=True)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["subscription", "ordering_key", "status"])]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}: {self.status}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.at:%Y-%m-%d %H:%M}: {self.status_code or self.error}"


class IdempotencyRecord(models.Model):
    """The answer given to one ``Idempotency-Key``, replayed when the same request comes again.

    ``owner`` is who may reuse the key: a user on the portal's pages and apps, or one API token.
    """

    owner = models.CharField(max_length=40)  # "user:<id>" or "token:<id>"
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # method, path and body of the first request
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="one_answer_per_key")]

    def __str__(self) -> str:
        return f"{self.owner}:{self.key}"


class OutboxMessage(models.Model):
    """A Celery task to run, written in the same transaction as the change that causes it.

    ``portal.outbox`` relays unsent rows to the broker right after commit and again from the relay
    loop, so a broker outage (or a broker restart that loses its queues) delays work but never
    loses it.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set by the worker when the task has run; a row sent long ago but never done (the broker lost
    # it in a restart) is published again.
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["sent_at"], name="outbox_not_done", condition=models.Q(done_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"


class PersonalDataAccess(models.Model):
    """One look at an applicant's personal data by a staff member (or by the applicant, for their own
    export). Append-only: rows are written by ``personal_data_access_record`` and never changed."""

    class What(models.TextChoices):
        APPLICATION_DETAIL = "application_detail", _("Application page")
        ORDER_DETAIL = "order_detail", _("Delivery order page")
        ORDER_API = "order_api", _("Delivery order (API)")
        EXPORT = "export", _("Export")
        OWN_DATA_EXPORT = "own_data_export", _("The applicant's own data export")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User, verbose_name=_("who"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=32)
    what = models.CharField(_("what"), max_length=32, choices=What.choices)
    applicant = models.ForeignKey(
        "passports.Applicant", verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("reference"), max_length=60, blank=True)  # order code, application id

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.role} {self.what} {self.reference}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Personal data accesses are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Personal data accesses are append-only")
