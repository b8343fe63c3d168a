"""The kernel's tables: the outbox, idempotency answers, webhooks, and the abstract bases every app
uses. They were created by the accounts app (app label ``portal``) and keep its table names
(``db_table``); migration ``core 0001`` took them over without touching the database."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyModel(models.Model):
    """Rows written once and never changed or deleted through the ORM (events, attempts, access
    records): a correction is a new row."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError(f"{self._meta.verbose_name_plural} are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError(f"{self._meta.verbose_name_plural} are append-only.")


class StateEvent(AppendOnlyModel):
    """One change of state of one object: which step, from which state to which, who (nobody for
    the portal's own tasks), in which role, when. Rows are written only by ``core.states``.

    Each state machine has its own concrete model with a real foreign key to the object that moved
    and one to the actor's office (``office``, nullable), so the kernel names no other app's table.
    States are the object's own choices; "" as ``from_status`` marks the object's creation."""

    transition = models.CharField(_("step"), max_length=40)
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The actor's role at the time; "" for the portal itself (a task, a sweep).
    actor_role = models.CharField(_("role"), max_length=32, blank=True)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.transition}: {self.from_status or '-'} -> {self.to_status}"


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class WebhookSubscription(models.Model):
    """A partner system's URL that receives signed JSON for the events it chose."""

    class Event(models.TextChoices):
        ORDER_STATUS_CHANGED = "order.status_changed", _("Order state changed")
        BATCH_RELEASED = "batch.released", _("Batch released")
        COMPLAINT_OPENED = "complaint.opened", _("Complaint opened")
        DEADLINE_BREACHED = "deadline.breached", _("Deadline breached")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("secret"), max_length=128)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "portal_webhooksubscription"
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
        db_table = "portal_webhookdelivery"
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

    class Meta:
        db_table = "portal_webhookattempt"

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.at:%Y-%m-%d %H:%M}: {self.status_code or self.error}"


class IdempotencyRecord(models.Model):
    """The answer given to one ``Idempotency-Key``, replayed when the same request comes again.

    ``owner`` is who may reuse the key: a user on the portal's pages and apps, or one API token.
    """

    owner = models.CharField(max_length=40)  # "user:<id>" or "token:<id>"
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # method, path and body of the first request
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "portal_idempotencyrecord"
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="one_answer_per_key")]

    def __str__(self) -> str:
        return f"{self.owner}:{self.key}"


class OutboxMessage(models.Model):
    """A Celery task to run, written in the same transaction as the change that causes it.

    ``core.outbox`` relays unsent rows to the broker right after commit and again from the relay
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
        db_table = "portal_outboxmessage"
        indexes = [
            models.Index(
                fields=["sent_at"], name="outbox_not_done", condition=models.Q(done_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"
