"""Every short message the portal sends, in one place: one short template per kind of news.

Each message is one GSM-7 part of 160 septets, in Indonesian and in English: ``sms_render`` counts
the septets (an extension character such as ``[]{}|^~€\\`` counts two), keeps every value to the
GSM-7 alphabet (a single other character would turn the whole message into UCS-2 of 70
characters) and shortens the values that may be long (a name, an area, an office, a reason) until
the message fits, whatever they hold. ``tests/delivery/test_sms_texts.py`` renders each template in
both languages with the longest values.

The same kinds are the WhatsApp templates (``whatsapp_template``): an approved template per kind,
whose body parameters are the message's values in the template's order.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from delivery.choices import DeliveryStatus, FailureReason
from delivery.handoff import transitions as t
from delivery.handoff.codes import delivery_code_reveal
from delivery.handoff.history import personal_details
from delivery.manage.links import link_url
from delivery.models import DeliveryEvent

SMS_SEPTETS = 160

# The GSM 03.38 default alphabet and its extension table (each extension character is sent as an
# escape and the character: two septets).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


def gsm7_septets(text: str) -> int | None:
    """How many septets ``text`` takes in GSM-7, or None when it holds a character GSM-7 lacks."""
    count = 0
    for char in text:
        if char in GSM7_BASIC:
            count += 1
        elif char in GSM7_EXTENSION:
            count += 2
        else:
            return None
    return count


def gsm7_clean(value: str) -> str:
    """``value`` in the plain GSM-7 alphabet: accents dropped (é stays é only where GSM-7 has it),
    line breaks made spaces, extension characters and anything else GSM-7 lacks made "?"."""
    out = []
    for char in " ".join(value.split()):
        if char in GSM7_BASIC:
            out.append(char)
            continue
        plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(plain if plain and all(c in GSM7_BASIC for c in plain) else "?")
    return "".join(out)


@dataclass(frozen=True)
class SmsTemplate:
    """One kind of news: its text (English msgid, ``%(name)s`` values), the values that may be
    shortened, in the order they are shortened, and the WhatsApp template's name."""

    kind: str
    text: Promise
    params: tuple[str, ...]
    shorten: tuple[str, ...] = ()

    @property
    def whatsapp_name(self) -> str:
        return f"antar_paspor_{self.kind}"


def _t(kind: str, text: Promise, params: tuple[str, ...], shorten: tuple[str, ...] = ()) -> SmsTemplate:
    return SmsTemplate(kind=kind, text=text, params=params, shorten=shorten)


# Every message starts with "antar-paspor <tracking code>: " (``sms_render`` adds it).
TEMPLATES: dict[str, SmsTemplate] = {
    template.kind: template
    for template in [
        _t("booked", _("Delivery booked. We will text you at every step. %(url)s"), ("url",)),
        _t("dossier_handed", _("Dossier handed to Imigrasi. %(url)s"), ("url",)),
        _t("passport_ready", _("Your passport is printed and ready at Imigrasi. %(url)s"), ("url",)),
        _t("received_by_pos", _("PT Pos has your passport from Imigrasi. %(url)s"), ("url",)),
        _t(
            "with_delivery_section",
            _("Your passport is with the Pos delivery section for %(area)s. %(url)s"),
            ("area", "url"),
            ("area",),
        ),
        _t(
            "out_for_delivery",
            _("Out for delivery today %(window)s, courier %(courier)s. Code ready? %(url)s"),
            ("window", "courier", "url"),
            ("courier",),
        ),
        _t(
            "out_for_delivery_today",
            _("Out for delivery today, courier %(courier)s. Code ready? %(url)s"),
            ("courier", "url"),
            ("courier",),
        ),
        _t(
            "delivery_code",
            _(
                "Your passport comes soon. Your one-time delivery code: %(delivery_code)s. "
                "Give it only with the passport in your hands."
            ),
            ("delivery_code",),
        ),
        _t(
            "delivered",
            _("Passport received by %(name)s at %(time)s WITA. Thank you. %(url)s"),
            ("name", "time", "url"),
            ("name",),
        ),
        _t(
            "failed_attempt",
            _("Delivery failed: %(reason)s. Choose a new day: %(url)s"),
            ("reason", "url"),
            ("reason",),
        ),
        _t(
            "failed_final",
            _("Delivery failed: %(reason)s. Your passport goes back to Imigrasi; we will text you."),
            ("reason",),
            ("reason",),
        ),
        _t("returned_to_pos", _("Your passport is back at the Pos office. %(url)s"), ("url",)),
        # The branch's address and opening hours are behind the link (the mail has them too).
        _t(
            "pickup_chosen",
            _("Collect at %(branch)s. We text you when it is there. %(url)s"),
            ("branch", "url"),
            ("branch",),
        ),
        _t(
            "at_pickup_branch",
            _("Passport at %(branch)s. Bring code+KTP. %(url)s"),
            ("branch", "url"),
            ("branch",),
        ),
        _t(
            "returned_to_office",
            _("Collect your passport at %(office)s with your KTP. Mon-Thu 07:30-16:00, Fri 07:30-16:30."),
            ("office",),
            ("office",),
        ),
        _t("cancelled", _("Your passport delivery is cancelled. %(url)s"), ("url",)),
        _t("manage_link", _("Your new link to follow and manage your delivery: %(url)s"), ("url",)),
        _t(
            "manage_code",
            _(
                "Your one-time code: %(otp)s. Valid 10 minutes. Never share it; Pos and Imigrasi staff never ask for it."
            ),
            ("otp",),
        ),
        _t(
            "code_refused",
            _(
                "A courier entered a wrong delivery code for your passport. Not receiving it now? "
                "Keep your code secret and call the Pos office."
            ),
            (),
        ),
        _t(
            "lost_reported",
            _(
                "We cannot find your passport on its way (case %(number)s). We are searching and will "
                "tell you each step."
            ),
            ("number",),
        ),
        _t(
            "lost_police_report",
            _(
                "A police report on your passport is filed (case %(number)s). Imigrasi decides next; we "
                "will tell you."
            ),
            ("number",),
        ),
        _t(
            "lost_found",
            _("Good news: your passport is found and its delivery goes on (case %(number)s)."),
            ("number",),
        ),
        _t(
            "lost_reissue",
            _(
                "Your passport is cancelled and will be reissued free of charge (case %(number)s). See "
                "your email."
            ),
            ("number",),
        ),
    ]
}


@dataclass(frozen=True)
class SmsMessage:
    """One message before it is put into words: its kind, its tracking code, its values."""

    kind: str
    code: str
    values: dict[str, str] = field(default_factory=dict)

    @property
    def template(self) -> SmsTemplate:
        return TEMPLATES[self.kind]


def _fill(message: SmsMessage, values: dict[str, str]) -> str:
    return f"antar-paspor {message.code}: " + str(message.template.text) % values


def sms_render(message: SmsMessage) -> str:
    """The message in the active language, one GSM-7 part: values shortened (with "..") until it
    fits; should the fixed words alone not fit (a very long public address), cut at the limit."""
    values = {name: gsm7_clean(str(message.values.get(name, ""))) for name in message.template.params}
    text = _fill(message, values)
    for name in message.template.shorten:
        over = (gsm7_septets(text) or 0) - SMS_SEPTETS
        if over <= 0:
            break
        value = values[name]
        keep = max(len(value) - over - 2, 1)
        values[name] = value[:keep].rstrip() + ".." if keep < len(value) else value
        text = _fill(message, values)
    text = gsm7_clean(text)
    while (gsm7_septets(text) or 0) > SMS_SEPTETS:
        text = text[:-1]
    return text


def whatsapp_template(message: SmsMessage) -> tuple[str, str, list[str]]:
    """The approved WhatsApp template for the message: (name, language code, body parameters), the
    parameters in the template's order (the tracking code first). Called inside the applicant's
    language."""
    language = "en" if (get_language() or "id").startswith("en") else "id"
    values = [message.code] + [str(message.values.get(name, "")) for name in message.template.params]
    return message.template.whatsapp_name, language, values


def _hour(moment: dt.time) -> str:
    """08 for 08.00, 13.30 for half past one: a window's bound as short as it reads."""
    return f"{moment:%H}" if moment.minute == 0 else f"{moment:%H.%M}"


def event_sms_message(event: DeliveryEvent) -> SmsMessage:
    """The short message about one move of an order (called inside the applicant's language: the
    failure reason is a label in it)."""
    order = event.order
    code = order.code
    track = link_url(order)  # the personal link: tracking, and manage my delivery after a code
    status = event.to_status
    if event.payload.get("delivery_code_issued"):
        delivery_code = delivery_code_reveal(order_id=order.pk)
        if delivery_code:
            return SmsMessage("delivery_code", code, {"delivery_code": delivery_code})
    if status == DeliveryStatus.DELIVERED:
        name = str(personal_details(event).get("receiver_name") or "")
        when = timezone.localtime(event.occurred_at).strftime("%H:%M")
        return SmsMessage("delivered", code, {"name": name, "time": when, "url": track})
    if status == DeliveryStatus.FAILED_ATTEMPT:
        reason = str(event.payload.get("reason", ""))
        label = str(FailureReason(reason).label) if reason in FailureReason.values else reason
        if t.failed_attempts(order) >= settings.DELIVERY_MAX_FAILED_ATTEMPTS:
            return SmsMessage("failed_final", code, {"reason": label})
        return SmsMessage("failed_attempt", code, {"reason": label, "url": track})
    if status == DeliveryStatus.RETURNED_TO_OFFICE:
        return SmsMessage("returned_to_office", code, {"office": order.imigrasi_office.name})
    if status == DeliveryStatus.OUT_FOR_DELIVERY:
        courier = (event.actor.first_name if event.actor is not None else "") or str(_("a Pos courier"))
        window = order.delivery_window
        if window is not None and order.delivery_date == timezone.localdate(event.occurred_at):
            hours = f"{_hour(window.starts_at)}-{_hour(window.ends_at)}"
            return SmsMessage("out_for_delivery", code, {"window": hours, "courier": courier, "url": track})
        return SmsMessage("out_for_delivery_today", code, {"courier": courier, "url": track})
    if status == DeliveryStatus.WITH_DELIVERY_SECTION:
        return SmsMessage(str(status), code, {"area": order.area.name, "url": track})
    if status == DeliveryStatus.AT_PICKUP_BRANCH and order.pickup_branch is not None:
        branch = order.pickup_branch
        return SmsMessage(
            str(status), code, {"branch": branch.name, "hours": branch.opening_hours, "url": track}
        )
    return SmsMessage(str(status), code, {"url": track})
