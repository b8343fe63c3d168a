from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    BOOKED = "booked", _("Booked and paid")  # step 3: paid at Pos, power of attorney signed
    DOSSIER_HANDED = "dossier_handed", _("Dossier handed to Imigrasi")  # step 4
    PASSPORT_READY = "passport_ready", _("Passport ready at Imigrasi")  # printed, awaiting release
    RECEIVED_BY_POS = "received_by_pos", _("Received by Pos service section")  # step 5
    WITH_DELIVERY_SECTION = "with_delivery_section", _("With Pos delivery section")  # step 6
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")  # courier on the way
    # The applicant chose to collect it at a named Pos branch: it waits there for the delivery code.
    AT_PICKUP_BRANCH = "at_pickup_branch", _("Waiting at the Pos branch")
    DELIVERED = "delivered", _("Delivered")  # step 7 done (at the door or at the branch counter)
    FAILED_ATTEMPT = "failed_attempt", _("Delivery attempt failed")  # nobody to receive it, etc.
    RETURNED_TO_POS = "returned_to_pos", _("Returned to Pos service section")  # after failed attempts
    RETURNED_TO_OFFICE = "returned_to_office", _("Returned to the office")  # collect in person
    CANCELLED = "cancelled", _("Cancelled")  # applicant withdrew before release


# The states in which the order has ended and nothing more will happen to it.
FINAL_STATUSES = frozenset(
    {DeliveryStatus.DELIVERED, DeliveryStatus.RETURNED_TO_OFFICE, DeliveryStatus.CANCELLED}
)

# The seven steps of the SOP, each with the state that marks it as done.
STEP_OF_STATUS = {
    DeliveryStatus.BOOKED: 3,
    DeliveryStatus.DOSSIER_HANDED: 4,
    DeliveryStatus.PASSPORT_READY: 4,
    DeliveryStatus.RECEIVED_BY_POS: 5,
    DeliveryStatus.WITH_DELIVERY_SECTION: 6,
    DeliveryStatus.OUT_FOR_DELIVERY: 6,
    DeliveryStatus.FAILED_ATTEMPT: 6,
    DeliveryStatus.AT_PICKUP_BRANCH: 6,
    DeliveryStatus.DELIVERED: 7,
}


class DestinationKind(models.TextChoices):
    HOME = "home", _("Home")
    OFFICE = "office", _("Office")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class WhatsAppStatus(models.TextChoices):
    """What WhatsApp's status callbacks said of a message (``Notification.delivery_status``)."""

    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


class OptInMethod(models.TextChoices):
    """Where the applicant agreed to receive WhatsApp messages."""

    ONLINE_BOOKING = "online_booking", _("Online booking form")
    COUNTER = "counter", _("At the Pos counter")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")  # no address to send to
    FAILED = "failed", _("Failed")


class FailureReason(models.TextChoices):
    NOT_AT_HOME = "not_at_home", _("Nobody at home")
    ADDRESS_NOT_FOUND = "address_not_found", _("Address not found")
    REFUSED = "refused", _("Recipient refused")
    NO_ID = "no_id", _("Recipient without ID")
    OTHER = "other", _("Other reason")


class ReceiverKind(models.TextChoices):
    APPLICANT = "applicant", _("The applicant, with the delivery code")
    STAND_IN = "stand_in", _("A stand-in")


class ProofMethod(models.TextChoices):
    """What proved at the door that the receiver is the applicant or their stand-in."""

    CODE = "code", _("Delivery code")
    TOKEN = "token", _("Signed QR code")


class IdType(models.TextChoices):
    """The ID the receiver showed at the door."""

    KTP = "ktp", _("KTP (identity card)")
    SIM = "sim", _("SIM (driving licence)")
    PASSPORT_COPY = "passport_copy", _("Copy of the passport")


def receiver_text(*, kind: str, name: str, relation: str) -> str:
    """The receiver as the applicant sees it: the name, or the stand-in's relation and name."""
    if kind == ReceiverKind.STAND_IN:
        return gettext("stand-in: %(relation)s (%(name)s)") % {"relation": relation, "name": name}
    return name


class MemberPoaVia(models.TextChoices):
    """How a group member's own power of attorney was signed."""

    LINK = "link", _("through the personal link")
    COUNTER = "counter", _("on paper at the Pos counter")
    # Groups booked before members signed their own: the agency's booking stood for it.
    AGENCY = "agency", _("by the agency at booking")
