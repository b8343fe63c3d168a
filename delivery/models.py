from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.models import AppendOnlyModel, StateEvent, TimeStampedModel
from delivery.choices import (
    DeliveryStatus,
    DestinationKind,
    IdType,
    MemberPoaVia,
    NotificationChannel,
    NotificationStatus,
    OptInMethod,
    ProofMethod,
    ReceiverKind,
    WhatsAppStatus,
)
from passports.validators import validate_passport_number, validate_phone


class Area(TimeStampedModel):
    """One of the areas the office serves, with its delivery tariff."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    delivery_fee = models.PositiveIntegerField(_("delivery fee (Rp)"))
    tariff_is_demo = models.BooleanField(
        _("demo tariff"),
        default=True,
        help_text=_("Illustrative amount, not an official PT Pos tariff."),
    )
    lead_days = models.PositiveSmallIntegerField(
        _("lead time (working days)"),
        default=1,
        help_text=_("The first delivery day offered is this many working days after the booking."),
    )

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas and delivery tariff")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeliveryWindow(TimeStampedModel):
    """A time of day in which the couriers of an area deliver, with its places per day."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="windows", verbose_name=_("area"))
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    capacity = models.PositiveSmallIntegerField(
        _("places per day"), help_text=_("How many deliveries the couriers can make in this window a day.")
    )
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("delivery window")
        verbose_name_plural = _("delivery windows")
        ordering = ["area", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["area", "starts_at"], name="delivery_window_unique_start"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="window_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%H.%M}\u2013{self.ends_at:%H.%M}"

    @property
    def label(self) -> str:
        return str(self)


class DeliveryWindowDay(models.Model):
    """The places taken in one window on one day: the counter that bookings lock and raise."""

    window = models.ForeignKey(DeliveryWindow, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    taken = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["window", "day"], name="one_counter_per_window_day")]

    def __str__(self) -> str:
        return f"{self.window} {self.day}: {self.taken}"


class PickupBranch(TimeStampedModel):
    """A PT Pos branch office (kantor pos) where the applicant may collect the passport instead of
    home delivery; it belongs to the Pos office whose delivery section sends passports to it."""

    pos_office = models.ForeignKey(
        "organisations.Office",
        on_delete=models.PROTECT,
        related_name="pickup_branches",
        verbose_name=_("Pos office"),
    )
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=300)
    opening_hours = models.CharField(
        _("opening hours"), max_length=120, help_text=_("As the applicant reads it, e.g. Mon-Fri 08.00-15.00")
    )
    active = models.BooleanField(_("hands out passports"), default=True)

    class Meta:
        verbose_name = _("pickup branch")
        verbose_name_plural = _("pickup branches")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["pos_office", "name"], name="pickup_branch_name_per_office")
        ]

    def __str__(self) -> str:
        return self.name


class Courier(TimeStampedModel):
    user = models.OneToOneField("portal.User", on_delete=models.PROTECT, related_name="courier")
    name = models.CharField(_("name"), max_length=200)
    nippos = models.CharField(_("Nippos"), max_length=20, unique=True)
    office = models.ForeignKey(
        "organisations.Office", verbose_name=_("place of duty"), on_delete=models.PROTECT
    )
    areas = models.ManyToManyField(Area, verbose_name=_("areas"), blank=True)
    is_third_party = models.BooleanField(_("third-party courier"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("courier")
        verbose_name_plural = _("couriers")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.nippos})"


class DeliveryOrder(TimeStampedModel):
    """One passport's way from the Pos counter to the applicant's door.

    ``status`` is only ever changed by ``delivery.handoff.transitions``.
    """

    code = models.CharField(_("tracking code"), max_length=12, unique=True)
    application = models.OneToOneField(
        "passports.PassportApplication", on_delete=models.PROTECT, related_name="delivery_order"
    )
    imigrasi_office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("Imigrasi office")
    )
    pos_office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("Pos office")
    )
    destination_kind = models.CharField(_("destination"), max_length=10, choices=DestinationKind.choices)
    address = models.CharField(_("delivery address"), max_length=300)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name=_("area"))
    delivery_fee = models.PositiveIntegerField(_("delivery fee (Rp)"))
    recipient_phone = models.CharField(_("contact phone"), max_length=16, validators=[validate_phone])
    recipient_email = models.EmailField(_("contact email"), blank=True)
    # The channels the applicant chose at booking for the news of each step (at least one).
    notify_by_sms = models.BooleanField(_("news by SMS"), default=True)
    notify_by_whatsapp = models.BooleanField(_("news by WhatsApp"), default=False)
    notify_by_email = models.BooleanField(_("news by email"), default=True)
    poa_grantee_name = models.CharField(_("authorised Pos officer"), max_length=200)
    poa_grantee_nippos = models.CharField(_("Nippos"), max_length=20)
    poa_grantee_place = models.CharField(_("place of duty"), max_length=200)
    poa_signed_at = models.DateTimeField(_("power of attorney signed at"))
    courier = models.ForeignKey(
        Courier, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        _("status"), max_length=24, choices=DeliveryStatus.choices, db_index=True, editable=False
    )
    status_changed_at = models.DateTimeField(_("status changed at"), editable=False)
    deadline_at = models.DateTimeField(_("deadline of the current step"), null=True, blank=True)
    deadline_breached_at = models.DateTimeField(_("deadline breached at"), null=True, blank=True)
    booked_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Recorded by Imigrasi when it marks the printed passport ready; the surat tugas lists it, so
    # Pos can check each passport it takes against the letter.
    passport_number = models.CharField(
        _("passport number"), max_length=9, blank=True, validators=[validate_passport_number]
    )
    # The day and time window the applicant chose; empty on older orders and group bookings.
    delivery_date = models.DateField(_("delivery day"), null=True, blank=True)
    delivery_window = models.ForeignKey(
        DeliveryWindow,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("delivery window"),
    )
    # Every personal link and every "manage my delivery" session of the order carries this number;
    # raising it revokes them all at once (``delivery.manage.links``).
    link_version = models.PositiveIntegerField(_("personal link version"), default=1, editable=False)
    # The branch the applicant chose to collect the passport at instead of home delivery (once, for
    # good: ``delivery.pickup.services``); empty for a delivery to the door.
    pickup_branch = models.ForeignKey(
        PickupBranch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("pickup branch"),
        editable=False,
    )

    class Meta:
        verbose_name = _("delivery order")
        verbose_name_plural = _("delivery orders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["passport_number"],
                condition=~models.Q(passport_number=""),
                name="order_passport_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(notify_by_sms=True)
                | models.Q(notify_by_whatsapp=True)
                | models.Q(notify_by_email=True),
                name="order_has_a_news_channel",
            ),
        ]
        indexes = [
            models.Index(fields=["imigrasi_office", "status"]),
            models.Index(fields=["pos_office", "status"]),
            models.Index(fields=["courier", "status"]),
            # The supervisors' "deadlines breached" queue: only orders on a late step.
            models.Index(
                fields=["deadline_breached_at"],
                condition=models.Q(deadline_breached_at__isnull=False),
                name="order_breached",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def timeline(self) -> "models.QuerySet[DeliveryEvent]":
        """Its events in order, each with its office and personal details, in one query."""
        return self.events.select_related("office", "personal").order_by("occurred_at", "pk")


class DeliveryEvent(AppendOnlyModel):
    """One append-only row per handoff: who, in which role, when, where, from which state to which.

    On PostgreSQL the table is partitioned by month of ``occurred_at`` (``delivery.handoff.partitions``);
    its primary key there is (id, occurred_at), ``id`` alone for Django: one sequence, no UPDATE."""

    order = models.ForeignKey(DeliveryOrder, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(_("from"), max_length=24, choices=DeliveryStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=DeliveryStatus.choices)
    # PROTECT, not SET_NULL: the table refuses every UPDATE (see ``delivery.handoff.history``), so a
    # user with a history is deactivated, never deleted.
    actor = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    office = models.ForeignKey(
        "organisations.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The office where the move was made; where a courier stood is personal and lives in
    # ``DeliveryEventPersonal``.
    location = models.CharField(_("where"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    device_time = models.DateTimeField(_("device time"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("deadline of the next step"), null=True, blank=True)
    # Whether the step this move ends was done by its deadline (None: the step had no deadline).
    # Kept on the row so compliance reports are one aggregate, not a look-back per event.
    leg_on_time = models.BooleanField(_("step done on time"), null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    # SHA-256 over the previous event of the same order (its chain_hash) and this row's fields:
    # an edited or missing event breaks the chain (``manage.py verify_event_chains``).
    chain_hash = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("delivery event")
        verbose_name_plural = _("delivery events")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["to_status", "occurred_at"], name="event_status_time")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status or '-'} -> {self.to_status}"


class DeliveryEventPersonal(models.Model):
    """What is personal about one event: where the courier stood, who received the passport, the
    courier's note. Kept beside the event so that retention clears it while the event, and the chain
    of hashes over it, stay as written."""

    # No database foreign key: the event table is partitioned on PostgreSQL; a constraint trigger
    # checks the reference instead (delivery/migrations/0036_event_history_partitioned.py).
    event = models.OneToOneField(
        DeliveryEvent,
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="personal",
        db_constraint=False,
    )
    location = models.CharField(_("where the courier was"), max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("personal details of a delivery event")
        verbose_name_plural = _("personal details of delivery events")

    def __str__(self) -> str:
        return f"{self.event_id}"


class Notification(TimeStampedModel):
    """One message about one event on one channel; the unique pair makes retries harmless."""

    # Checked by a constraint trigger, not a foreign key (the event table is partitioned, see 0035).
    event = models.ForeignKey(
        DeliveryEvent, on_delete=models.PROTECT, related_name="notifications", db_constraint=False
    )
    channel = models.CharField(max_length=10, choices=NotificationChannel.choices)
    recipient = models.CharField(max_length=254, blank=True)
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # WhatsApp: the provider's message id (wamid) and what its status callbacks said last.
    provider_message_id = models.CharField(max_length=128, blank=True, db_index=True)
    delivery_status = models.CharField(max_length=10, choices=WhatsAppStatus.choices, blank=True)
    delivery_status_at = models.DateTimeField(null=True, blank=True)
    # Set while a run is sending the message (status still pending or failed), cleared when the run
    # is done with it. A claim older than the lease is a dead run's: the redelivered task takes it
    # over (delivery.notifications.services.delivery_events_notify).
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"], name="one_notification_per_channel")
        ]


class DeliveryCode(TimeStampedModel):
    """The one-time code the applicant shows the courier (``delivery.handoff.codes``).

    Kept encrypted with the personal-data keys (rotatable, not derived from SECRET_KEY), so the
    applicant's mail can carry it and only the server can check it. ``check_digit`` is "damm" for
    codes whose last digit is a Damm check digit, empty for codes issued before it.
    """

    order = models.OneToOneField(DeliveryOrder, on_delete=models.PROTECT, related_name="delivery_code")
    code_encrypted = models.TextField(blank=True, default="")
    check_digit = models.CharField(max_length=8, blank=True, default="")
    used_at = models.DateTimeField(null=True, blank=True)
    # Wrong codes the server refused since the code was issued or last unlocked; at
    # DELIVERY_CODE_MAX_ATTEMPTS the code is locked until the dispatcher unlocks it.
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("delivery code")
        verbose_name_plural = _("delivery codes")


class DeliveryCodeAttemptOutcome(models.TextChoices):
    WRONG = "wrong", _("Wrong code")  # a courier entered a code the server refused
    REFUSED_LOCKED = "refused_locked", _("Refused: code locked")  # tried while locked
    UNLOCKED = "unlocked", _("Unlocked by the dispatcher")  # tries allowed again


class DeliveryCodeAttempt(AppendOnlyModel):
    """One append-only row per refused delivery code and per unlock: who, in which role, when."""

    order = models.ForeignKey(DeliveryOrder, on_delete=models.PROTECT, related_name="code_attempts")
    outcome = models.CharField(_("outcome"), max_length=20, choices=DeliveryCodeAttemptOutcome.choices)
    actor = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    occurred_at = models.DateTimeField(_("when"))
    failed_attempts = models.PositiveSmallIntegerField(_("wrong codes so far"))

    class Meta:
        verbose_name = _("delivery code attempt")
        verbose_name_plural = _("delivery code attempts")
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.outcome}"


class ProofOfDelivery(TimeStampedModel):
    """Who took the passport, with signature, photo and (if allowed) location."""

    order = models.OneToOneField(DeliveryOrder, on_delete=models.PROTECT, related_name="proof")
    # Checked by a constraint trigger, not a foreign key (the event table is partitioned, see 0035).
    event = models.OneToOneField(
        DeliveryEvent, on_delete=models.PROTECT, related_name="proof", db_constraint=False
    )
    receiver_kind = models.CharField(_("received by"), max_length=10, choices=ReceiverKind.choices)
    receiver_name = models.CharField(_("receiver's name"), max_length=200)
    relation = models.CharField(_("relation to the applicant"), max_length=100, blank=True)
    # The ID the receiver showed (empty on proofs from before it was asked) and its last four
    # characters, letters or digits.
    id_type = models.CharField(_("ID shown"), max_length=16, choices=IdType.choices, blank=True)
    id_last_four = models.CharField(_("last four characters of the ID"), max_length=4, blank=True)
    authorisation_seen = models.BooleanField(_("applicant's authorisation shown"), default=False)
    proof_method = models.CharField(
        _("proved with"), max_length=8, choices=ProofMethod.choices, default=ProofMethod.CODE
    )
    signature = models.FileField(_("signature"), upload_to="proof/signatures/%Y/%m/")
    photo = models.FileField(_("photo"), upload_to="proof/photos/%Y/%m/", blank=True)
    # A stand-in's photo of the applicant's written authorisation (required on that path).
    authorisation_photo = models.FileField(
        _("photo of the written authorisation"), upload_to="proof/authorisations/%Y/%m/", blank=True
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("proof of delivery")
        verbose_name_plural = _("proofs of delivery")


class PickupChoice(AppendOnlyModel):
    """The applicant's choice to collect the passport at a branch (one per order, for good): who,
    when, which branch, and the delivery day and window it gave back."""

    order = models.OneToOneField(DeliveryOrder, on_delete=models.PROTECT, related_name="pickup_choice")
    branch = models.ForeignKey(PickupBranch, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey("portal.User", on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(_("when"))
    status_at_choice = models.CharField(max_length=24, choices=DeliveryStatus.choices)
    old_delivery_date = models.DateField(null=True, blank=True)
    old_delivery_window = models.ForeignKey(
        DeliveryWindow, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("pickup at a branch")
        verbose_name_plural = _("pickups at a branch")

    def __str__(self) -> str:
        return f"{self.order_id}: {self.branch_id}"


class RescheduleRequest(TimeStampedModel):
    """After a failed attempt the applicant asks for another day or another address in the same area."""

    order = models.ForeignKey(DeliveryOrder, on_delete=models.PROTECT, related_name="reschedule_requests")
    after_attempt = models.PositiveSmallIntegerField(_("after failed attempt"))
    preferred_date = models.DateField(_("preferred day"))
    new_address = models.CharField(_("new address"), max_length=300, blank=True)
    delivery_window = models.ForeignKey(
        DeliveryWindow,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("delivery window"),
    )
    requested_by = models.ForeignKey("portal.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("new day or address")
        verbose_name_plural = _("new days or addresses")
        constraints = [
            models.UniqueConstraint(fields=["order", "after_attempt"], name="one_reschedule_per_attempt")
        ]

    def __str__(self) -> str:
        return f"{self.order_id} #{self.after_attempt}: {self.preferred_date}"


class DeliveryFeePayment(TimeStampedModel):
    """The delivery fee taken at the Pos counter, kept apart from the state fee (MPN G-2)."""

    order = models.OneToOneField(DeliveryOrder, on_delete=models.PROTECT, related_name="fee_payment")
    receipt_number = models.CharField(_("receipt number"), max_length=20, unique=True)
    amount = models.PositiveIntegerField(_("amount (Rp)"))
    # Nobody at a counter received an online payment: the payment adapter's receipt stands for it.
    received_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("delivery fee payment")
        verbose_name_plural = _("delivery fee payments")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="delivery_fee_positive")]

    def __str__(self) -> str:
        return self.receipt_number


class ManifestStatus(models.TextChoices):
    IN_HANDOVER = "in_handover", _("In handover")  # handed by Pos, Imigrasi has not seen every dossier
    RECEIVED = "received", _("Received by Imigrasi")  # every dossier acknowledged or refused


class Manifest(TimeStampedModel):
    """Step 4: the dossiers Pos hands Imigrasi at once, with the list of who booked delivery."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    pos_office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("Pos office")
    )
    imigrasi_office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("Imigrasi office")
    )
    handed_by = models.ForeignKey("portal.User", on_delete=models.PROTECT, related_name="+")
    handed_at = models.DateTimeField(_("handed over at"))
    orders = models.ManyToManyField(DeliveryOrder, related_name="manifests", through="ManifestItem")
    status = models.CharField(
        _("status"), max_length=12, choices=ManifestStatus.choices, default=ManifestStatus.IN_HANDOVER
    )

    class Meta:
        verbose_name = _("dossier manifest")
        verbose_name_plural = _("dossier manifests")
        ordering = ["-handed_at", "-pk"]

    def __str__(self) -> str:
        return self.number


class ManifestItem(models.Model):
    """A dossier on a manifest and what Imigrasi said of it: received (by whom, when), refused, or
    nothing yet ("in handover"). The row of the manifest's list of orders (its table is the one the
    list always had)."""

    manifest = models.ForeignKey(Manifest, on_delete=models.PROTECT, related_name="items")
    order = models.ForeignKey(
        DeliveryOrder, on_delete=models.PROTECT, related_name="manifest_items", db_column="deliveryorder_id"
    )
    received_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    refused_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)

    class Meta:
        db_table = "delivery_manifest_orders"
        unique_together = [("manifest", "order")]
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(received_at__isnull=True) | models.Q(refused_at__isnull=True),
                name="manifest_item_received_or_refused",
            )
        ]

    def __str__(self) -> str:
        return f"{self.manifest_id}: {self.order_id}"

    @property
    def waiting(self) -> bool:
        """Still "in handover": Imigrasi has neither acknowledged nor refused it."""
        return self.received_at is None and self.refused_at is None


class ManifestEvent(StateEvent):
    """One act on a manifest (``delivery.counter.manifest.MANIFEST_STATES``): handed over by Pos,
    dossiers acknowledged or refused by Imigrasi. Append-only; written from the day it came in."""

    manifest = models.ForeignKey(Manifest, on_delete=models.PROTECT, related_name="events")
    office = models.ForeignKey(
        "organisations.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("manifest event")
        verbose_name_plural = _("manifest events")


class DossierRefusal(TimeStampedModel):
    """Imigrasi refused a dossier with a missing item; the order went back to Pos."""

    order = models.ForeignKey(DeliveryOrder, on_delete=models.PROTECT, related_name="dossier_refusals")
    missing_items = models.JSONField(_("missing items"), default=list)
    reason = models.CharField(_("reason"), max_length=500)
    refused_by = models.ForeignKey("portal.User", on_delete=models.PROTECT, related_name="+")
    refused_at = models.DateTimeField(_("refused at"))

    class Meta:
        verbose_name = _("dossier refusal")
        verbose_name_plural = _("dossier refusals")


class BatchStatus(models.TextChoices):
    IN_HANDOVER = "in_handover", _("In handover")  # released by Imigrasi, Pos has not acknowledged
    RECEIVED = "received", _("Received by Pos")  # both sides acknowledged
    # Every passport acknowledged or reported, at least one reported missing or damaged.
    RECEIVED_WITH_EXCEPTIONS = "received_with_exceptions", _("Received by Pos, with passports reported")


class Batch(TimeStampedModel):
    """Step 5: passports Imigrasi releases to Pos at once, with one surat tugas and surat kuasa."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    imigrasi_office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("Imigrasi office")
    )
    pos_office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("Pos office")
    )
    status = models.CharField(
        _("status"), max_length=24, choices=BatchStatus.choices, default=BatchStatus.IN_HANDOVER
    )
    released_by = models.ForeignKey("portal.User", on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(_("released at"))
    acknowledged_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("release batch")
        verbose_name_plural = _("release batches")
        ordering = ["-released_at", "-pk"]

    def __str__(self) -> str:
        return self.number


class BatchItemStatus(models.TextChoices):
    IN_HANDOVER = "in_handover", _("Waiting for Pos")  # released, not yet acknowledged
    RECEIVED = "received", _("Received by Pos")
    REPORTED_MISSING = "reported_missing", _("Reported missing")
    REPORTED_DAMAGED = "reported_damaged", _("Reported damaged")


class BatchItem(models.Model):
    """A passport in a batch; an order is released in one batch only. The Pos officer acknowledges
    it or reports it missing or damaged (``delivery.counter.batches.BATCH_ITEM_STATES``)."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="items")
    order = models.OneToOneField(DeliveryOrder, on_delete=models.PROTECT, related_name="batch_item")
    status = models.CharField(
        _("status"), max_length=20, choices=BatchItemStatus.choices, default=BatchItemStatus.IN_HANDOVER
    )
    # Who acknowledged or reported it, and when.
    acted_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acted_at = models.DateTimeField(_("acknowledged or reported at"), null=True, blank=True)
    lost_case = models.ForeignKey(
        "LostPassportCase", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.order_id}"


class BatchItemEvent(StateEvent):
    """One step of one passport of a batch (``delivery.counter.batches.BATCH_ITEM_STATES``):
    released, received, reported missing or damaged. Append-only."""

    item = models.ForeignKey(BatchItem, on_delete=models.PROTECT, related_name="events")
    office = models.ForeignKey(
        "organisations.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("batch passport event")
        verbose_name_plural = _("batch passport events")


class BatchEvent(StateEvent):
    """One step of a release batch (``delivery.counter.batches.BATCH_STATES``): released by Imigrasi,
    acknowledged by Pos. Append-only; written from the day it came in, none before."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="events")
    office = models.ForeignKey(
        "organisations.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("batch event")
        verbose_name_plural = _("batch events")


class ProblemKind(models.TextChoices):
    LATE = "late", _("Deadline breached")
    FAILED_ATTEMPT = "failed_attempt", _("Failed delivery attempt")
    STALLED = "stalled", _("No movement")
    COMPLAINT_UNANSWERED = "complaint_unanswered", _("Complaint without a first response in 24 hours")
    CODE_LOCKED = "code_locked", _("Delivery code locked after wrong codes")
    LOST_PASSPORT = "lost_passport", _("Passport lost or damaged in transit")
    # The phone catches typos with the check digit, so a code the server refuses is taken for an
    # attempt to deliver without meeting the applicant.
    CODE_REFUSED = "code_refused", _("Wrong delivery code refused by the server")
    # A supervisor of either agency disputed a line of a daily statement (one problem per agency).
    STATEMENT_DISPUTED = "statement_disputed", _("Daily statement disputed")


class ProblemStatus(models.TextChoices):
    FLAGGED = "flagged", _("Flagged")  # on the queue, the responsible role not told (yet, or the mail failed)
    NOTIFIED = "notified", _("Responsible role told")  # the mail went out (or is going out now)
    CLOSED = "closed", _("Settled")  # off the queue: a disputed statement's dispute was settled


class Problem(TimeStampedModel):
    """An order (or a complaint, which may have no order, or a disputed daily statement) on the
    supervisors' problems queue; ``key`` makes each problem flagged once."""

    order = models.ForeignKey(
        DeliveryOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    complaint = models.ForeignKey(
        "complaints.Complaint", null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    statement = models.ForeignKey(
        "ledger.Statement", null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ProblemKind.choices)
    key = models.CharField(max_length=40)
    status_at_flag = models.CharField(_("state"), max_length=24, choices=DeliveryStatus.choices, blank=True)
    responsible_role = models.CharField(_("responsible role"), max_length=32, choices=Role.choices)
    responsible_office = models.ForeignKey("organisations.Office", on_delete=models.PROTECT, related_name="+")
    flagged_at = models.DateTimeField(_("flagged at"))
    # Changed only by ``delivery.problems.services`` through ``PROBLEM_STATES``.
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProblemStatus.choices,
        default=ProblemStatus.FLAGGED,
        editable=False,
    )
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    notified_to = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-flagged_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "kind", "key"], name="problem_flagged_once"),
            models.UniqueConstraint(
                fields=["complaint", "kind"],
                condition=models.Q(complaint__isnull=False),
                name="complaint_problem_flagged_once",
            ),
            models.UniqueConstraint(
                fields=["statement", "responsible_office", "key"],
                condition=models.Q(statement__isnull=False),
                name="statement_problem_flagged_once",
            ),
            models.CheckConstraint(
                condition=models.Q(order__isnull=False)
                | models.Q(complaint__isnull=False)
                | models.Q(statement__isnull=False),
                name="problem_has_order_complaint_or_statement",
            ),
        ]


class ProblemEvent(StateEvent):
    """One step of a problem (``delivery.problems.services.PROBLEM_STATES``): flagged, the responsible
    role told (or the mail failed and it waits for the retry). Append-only; written from the day it
    came in, none before."""

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="events")
    office = models.ForeignKey(
        "organisations.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("problem event")
        verbose_name_plural = _("problem events")


class VanStandby(TimeStampedModel):
    """The Pos van's arrival at the Imigrasi office, one row per working day."""

    office = models.ForeignKey("organisations.Office", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    arrived_at = models.DateTimeField(_("arrived at"))
    minutes_late = models.PositiveIntegerField(_("minutes late"), default=0)
    recorded_by = models.ForeignKey("portal.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("van standby")
        verbose_name_plural = _("van standby log")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["office", "day"], name="one_standby_per_day")]


class OnlineBookingStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Waiting for payment")  # details and signature given
    PAYING = "paying", _("Payment in progress")  # the payment adapter was asked; its answer comes later
    FAILED = "failed", _("Payment refused")  # may be paid again (or its details changed)
    BOOKED = "booked", _("Booked")  # paid: the delivery order exists


class OnlineBooking(TimeStampedModel):
    """An applicant's own booking, waiting for its payment.

    One row per application, so booking twice edits the same row; the payment confirmation turns it
    into the ``DeliveryOrder`` (``delivery.booking.online.online_booking_settle``) in one transaction.
    """

    token = models.CharField(max_length=48, unique=True, editable=False)
    application = models.OneToOneField(
        "passports.PassportApplication", on_delete=models.PROTECT, related_name="online_booking"
    )
    pos_office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("Pos office")
    )
    destination_kind = models.CharField(_("destination"), max_length=10, choices=DestinationKind.choices)
    address = models.CharField(_("delivery address"), max_length=300)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name=_("area"))
    delivery_fee = models.PositiveIntegerField(_("delivery fee (Rp)"))
    state_fee_due = models.PositiveIntegerField(_("passport fee still due (Rp)"))
    recipient_phone = models.CharField(_("contact phone"), max_length=16, validators=[validate_phone])
    recipient_email = models.EmailField(_("contact email"))
    # The channels chosen for the news of each step ("sms,whatsapp,email"), copied to the order when
    # it is booked; when WhatsApp was ticked, the moment of that opt-in.
    news_channels = models.CharField(_("news channels"), max_length=30, default="sms,email")
    whatsapp_opt_in_at = models.DateTimeField(null=True, blank=True)
    poa_signature = models.FileField(_("signature"), upload_to="poa/signatures/%Y/%m/")
    poa_signed_at = models.DateTimeField(_("power of attorney signed at"))
    # The chosen day and window: checked when the details are given, the place taken when paid.
    delivery_date = models.DateField(_("delivery day"), null=True, blank=True)
    delivery_window = models.ForeignKey(
        DeliveryWindow,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("delivery window"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OnlineBookingStatus.choices,
        default=OnlineBookingStatus.AWAITING_PAYMENT,
    )
    attempts = models.PositiveSmallIntegerField(_("payment attempts"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    order = models.OneToOneField(
        DeliveryOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="online_booking"
    )
    booked_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    documents_mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("online booking")
        verbose_name_plural = _("online bookings")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.status}"

    @property
    def total(self) -> int:
        return self.delivery_fee + self.state_fee_due


class OnlineBookingEvent(StateEvent):
    """One step of an online booking (``delivery.booking.online.ONLINE_BOOKING_STATES``): details
    given, changed, paying, refused or booked. Append-only; written from the day it came in, none
    before."""

    booking = models.ForeignKey(OnlineBooking, on_delete=models.PROTECT, related_name="events")
    office = models.ForeignKey(
        "organisations.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("online booking event")
        verbose_name_plural = _("online booking events")


class AddressChange(models.Model):
    """Append-only: the applicant moved the delivery before the passport left Imigrasi."""

    order = models.ForeignKey(DeliveryOrder, on_delete=models.PROTECT, related_name="address_changes")
    old_destination_kind = models.CharField(max_length=10, choices=DestinationKind.choices)
    old_address = models.CharField(max_length=300)
    old_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    old_fee = models.PositiveIntegerField()
    new_destination_kind = models.CharField(max_length=10, choices=DestinationKind.choices)
    new_address = models.CharField(max_length=300)
    new_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    new_fee = models.PositiveIntegerField()
    actor = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("address change")
        verbose_name_plural = _("address changes")
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.old_area_id} -> {self.new_area_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("Address changes are append-only.")
        super().save(*args, **kwargs)

    @property
    def difference(self) -> int:
        return self.new_fee - self.old_fee


class GroupBooking(TimeStampedModel):
    """A travel agency's booking of many passports at once, delivered to its office as one delivery:
    one address, one area, one named Pos courier in every power of attorney, dispatched together."""

    number = models.CharField(_("group number"), max_length=12, unique=True)
    agency_office = models.ForeignKey("organisations.Office", on_delete=models.PROTECT, related_name="+")
    booked_by = models.ForeignKey("portal.User", on_delete=models.PROTECT, related_name="group_bookings")
    address = models.CharField(_("delivery address"), max_length=300)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name=_("area"))
    courier = models.ForeignKey(
        Courier, on_delete=models.PROTECT, related_name="+", verbose_name=_("courier")
    )
    contact_phone = models.CharField(_("contact phone"), max_length=16, validators=[validate_phone])
    # The agency pays the delivery fees of the whole group once at the Pos counter; each member's
    # order then has its own DeliveryFeePayment, numbered "<fee_receipt_number>-<n>".
    fee_receipt_number = models.CharField(_("group receipt number"), max_length=15, blank=True)
    fees_paid_at = models.DateTimeField(_("delivery fees paid at"), null=True, blank=True)
    fees_received_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("group booking")
        verbose_name_plural = _("group bookings")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number


class GroupBookingItem(models.Model):
    group = models.ForeignKey(GroupBooking, on_delete=models.PROTECT, related_name="items")
    order = models.OneToOneField(DeliveryOrder, on_delete=models.PROTECT, related_name="group_item")
    row = models.PositiveIntegerField(_("CSV row"))
    name = models.CharField(_("name in the CSV"), max_length=200, blank=True)
    # The member's own power of attorney (``delivery.booking.group_members``): drawn through their
    # personal link, or signed on paper at the Pos counter (the clerk records it). Until then the
    # dossier is not handed to Imigrasi (the table of moves, ``hand_dossier``).
    poa_signed_at = models.DateTimeField(_("member signed the power of attorney at"), null=True, blank=True)
    poa_signed_via = models.CharField(
        _("signed how"), max_length=10, choices=MemberPoaVia.choices, blank=True
    )
    poa_signature = models.FileField(_("member's signature"), upload_to="poa/members/%Y/%m/", blank=True)
    # The member's own user (through the link) or the counter clerk who saw the paper.
    poa_recorded_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["row"]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.row}"


class LostPassportStatus(models.TextChoices):
    REPORTED = "reported", _("Reported missing")  # nobody can find it (or it is damaged)
    POLICE_REPORT = "police_report", _("Police report filed")  # the report is uploaded
    FOUND = "found", _("Found")  # Imigrasi's decision: it goes on its way
    REISSUED = "reissued", _("Cancelled and reissued")  # Imigrasi's decision: a new passport


class LostPassportKind(models.TextChoices):
    MISSING = "missing", _("Missing")
    DAMAGED = "damaged", _("Damaged")


class LostPassportCase(TimeStampedModel):
    """A passport that cannot be found, or arrived damaged, somewhere between Imigrasi and the
    applicant's door (``delivery.custody.lost``): who had it last, the police report, Imigrasi's
    decision. One open case per order."""

    number = models.CharField(_("case number"), max_length=30, unique=True)
    order = models.ForeignKey(DeliveryOrder, on_delete=models.PROTECT, related_name="lost_cases")
    kind = models.CharField(_("what happened"), max_length=10, choices=LostPassportKind.choices)
    status = models.CharField(
        _("status"), max_length=14, choices=LostPassportStatus.choices, default=LostPassportStatus.REPORTED
    )
    report = models.TextField(_("what was found or not found"), max_length=2000)
    reported_at = models.DateTimeField(_("reported at"))
    # Who had the passport last, from the order's events when the case was opened.
    last_holder_role = models.CharField(
        _("last holder's role"), max_length=32, choices=Role.choices, blank=True
    )
    last_holder = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_holder_office = models.ForeignKey(
        "organisations.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_moved_at = models.DateTimeField(_("last handoff at"), null=True, blank=True)
    police_report = models.FileField(_("police report"), upload_to="police-reports/", blank=True)
    police_report_number = models.CharField(_("police report number"), max_length=60, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("lost passport case")
        verbose_name_plural = _("lost passport cases")
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(status__in=["reported", "police_report"]),
                name="one_open_lost_case_per_order",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (LostPassportStatus.REPORTED, LostPassportStatus.POLICE_REPORT)


class LostPassportEvent(StateEvent):
    """One step of a lost passport case (``delivery.custody.lost.LOST_PASSPORT_STATES``)."""

    case = models.ForeignKey(LostPassportCase, on_delete=models.PROTECT, related_name="events")
    office = models.ForeignKey(
        "organisations.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("lost passport case event")
        verbose_name_plural = _("lost passport case events")


class LostPassportNotice(models.Model):
    """The applicant told about one step of a lost passport case on one channel: claimed before the
    message goes, so a retried task sends nothing twice."""

    event = models.ForeignKey(LostPassportEvent, on_delete=models.PROTECT, related_name="notices")
    channel = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"], name="one_lost_notice_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.event_id}/{self.channel}"


class WhatsAppOptIn(TimeStampedModel):
    """The applicant agreed to receive WhatsApp messages on this number: when and how. No WhatsApp
    message goes to a number without one (``delivery.notifications.whatsapp``)."""

    applicant = models.ForeignKey(
        "passports.Applicant", on_delete=models.PROTECT, related_name="whatsapp_opt_ins"
    )
    phone = models.CharField(_("phone"), max_length=16)
    opted_in_at = models.DateTimeField(_("agreed at"))
    method = models.CharField(_("how"), max_length=20, choices=OptInMethod.choices)
    recorded_by = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("WhatsApp opt-in")
        verbose_name_plural = _("WhatsApp opt-ins")
        indexes = [models.Index(fields=["applicant", "phone"])]

    def __str__(self) -> str:
        return f"{self.applicant_id} {self.method} {self.opted_in_at:%Y-%m-%d}"


class ManageCode(models.Model):
    """A one-time code sent to the phone or mail on file before the applicant may change their
    delivery through their personal link (``delivery.manage.access``). Only its keyed hash is kept
    for the check; the code itself is kept encrypted just until the message is sent."""

    order = models.ForeignKey(DeliveryOrder, on_delete=models.PROTECT, related_name="manage_codes")
    digest = models.CharField(max_length=64, editable=False)
    code_encrypted = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Wrong codes typed against this one; at MANAGE_CODE_MAX_ATTEMPTS it is spent.
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return f"{self.order_id} {self.created_at:%Y-%m-%d %H:%M}"


class RefundSituation(models.TextChoices):
    CANCELLED_BEFORE_RELEASE = (
        "cancelled_before_release",
        _("Cancelled by the applicant before release to Pos"),
    )
    RETURNED_AFTER_FAILED_ATTEMPTS = (
        "returned_after_failed_attempts",
        _("Returned to the office after failed attempts (nobody to receive it)"),
    )


class RefundRule(TimeStampedModel):
    """How much of the delivery fee goes back in each situation, set in the admin
    (``delivery.money.refunds``); a situation without a row follows the agreement's default."""

    situation = models.CharField(_("situation"), max_length=40, choices=RefundSituation.choices, unique=True)
    percent = models.PositiveSmallIntegerField(_("refund (% of the delivery fee paid)"))
    note = models.CharField(_("shown to the applicant"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("refund rule")
        verbose_name_plural = _("refund rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(percent__lte=100), name="refund_at_most_all")
        ]

    def __str__(self) -> str:
        return f"{self.get_situation_display()}: {self.percent}%"


class SatisfactionRating(models.Model):
    """ "Tell us how it went": the applicant's one answer (1 to 5) after the delivery, with an optional
    comment, given through the personal link (``delivery.manage.rating``). One per order; it may be
    changed for ``RATING_CHANGE_DAYS`` after it was first given (``changed_at``). No personal data is
    kept here beyond what the applicant chose to write; retention clears the comment."""

    order = models.OneToOneField(DeliveryOrder, on_delete=models.PROTECT, related_name="satisfaction_rating")
    score = models.PositiveSmallIntegerField(_("score (1-5)"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), db_index=True)
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_between_1_and_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.score}"


class FeeDifferenceStatus(models.TextChoices):
    PAYING = "paying", _("Payment in progress")  # the payment adapter was asked; its answer comes later
    PAID = "paid", _("Paid")  # in the ledger: nothing is left to collect at the door
    FAILED = "failed", _("Payment refused")  # nothing charged; pay again, or at the door


class FeeDifferencePayment(TimeStampedModel):
    """The applicant pays online the fee difference an address change left open, instead of at the
    door (``delivery.money.difference``). Its state follows ``FEE_DIFFERENCE_STATES``; the ledger
    row is written when the payment system confirms it."""

    order = models.ForeignKey(DeliveryOrder, on_delete=models.PROTECT, related_name="fee_difference_payments")
    amount = models.PositiveIntegerField(_("amount (Rp)"))
    status = models.CharField(
        max_length=12, choices=FeeDifferenceStatus.choices, default=FeeDifferenceStatus.PAYING, db_index=True
    )
    reference = models.CharField(_("payment reference"), max_length=40, unique=True)
    receipt_number = models.CharField(_("receipt number"), max_length=40, blank=True)
    failure = models.CharField(_("why it was refused"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fee difference paid online")
        verbose_name_plural = _("fee differences paid online")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One payment in progress per order: a second press of "pay" cannot charge twice.
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(status="paying"),
                name="one_fee_difference_paying_per_order",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fee_difference_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.amount} ({self.status})"


class FeeDifferenceEvent(StateEvent):
    """One step of an online fee difference payment: asked, paid or refused. Append-only."""

    payment = models.ForeignKey(FeeDifferencePayment, on_delete=models.PROTECT, related_name="events")
    office = models.ForeignKey(
        "organisations.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(StateEvent.Meta):
        verbose_name = _("fee difference payment event")
        verbose_name_plural = _("fee difference payment events")
