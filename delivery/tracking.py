"""Public tracking: who may look, what they see, and the page cache.

A lookup needs the tracking code and a secret: the applicant's date of birth, or the last four
digits of the NIK (compared with the applicant of the order found by the code). Failed lookups are counted per
client address; past ``TRACKING_MAX_FAILURES`` in ``TRACKING_FAILURE_WINDOW`` the address must wait,
so codes cannot be guessed. A found order's page is cached per language and dropped whenever the
order moves (``tracking_page_forget``, called by the state machine after commit). The cache key
includes how the lookup was made, so a page found by date of birth is never served for NIK digits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delivery.choices import FINAL_STATUSES
from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryEvent, DeliveryOrder


def _failures_key(client: str) -> str:
    return "track:fail:" + hashlib.sha256(client.encode()).hexdigest()[:32]


def tracking_is_blocked(*, client: str) -> bool:
    return (cache.get(_failures_key(client)) or 0) >= settings.TRACKING_MAX_FAILURES


def tracking_cached_lookup(*, client: str, page_key: str) -> tuple[bool, bytes | None]:
    """Whether the client must wait, and the cached page if any, in one round trip to the cache."""
    found = cache.get_many([_failures_key(client), page_key])
    blocked = (found.get(_failures_key(client)) or 0) >= settings.TRACKING_MAX_FAILURES
    return blocked, found.get(page_key)


def tracking_record_failure(*, client: str) -> int:
    key = _failures_key(client)
    if cache.add(key, 1, timeout=settings.TRACKING_FAILURE_WINDOW):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.TRACKING_FAILURE_WINDOW)
        return 1


def tracking_find(
    *, code: str, birth_date: dt.date | None = None, nik_last4: str = ""
) -> DeliveryOrder | None:
    """The order with ``code`` whose applicant matches the secret given; None otherwise."""
    if birth_date is not None:
        return (
            DeliveryOrder.objects.select_related("area", "application__billing_code")
            .filter(code=code, application__applicant__birth_date=birth_date)
            .first()
        )
    if len(nik_last4) != 4 or not nik_last4.isdigit():
        return None
    order = (
        DeliveryOrder.objects.select_related("area", "application__applicant", "application__billing_code")
        .filter(code=code).first()
    )
    return order if order is not None and _nik_matches(order, nik_last4) else None


def _nik_matches(order: DeliveryOrder, nik_last4: str) -> bool:
    nik = order.application.applicant.nik or ""
    return len(nik) >= 4 and hmac.compare_digest(nik[-4:], nik_last4)


def _secret(*, birth_date: dt.date | None, nik_last4: str) -> str:
    return f"dob:{birth_date.isoformat()}" if birth_date is not None else f"nik:{nik_last4}"


def tracking_page_key(
    *, code: str, language: str, birth_date: dt.date | None = None, nik_last4: str = ""
) -> str:
    kind = "dob" if birth_date is not None else "nik"
    secret = hashlib.sha256(
        f"{code}|{_secret(birth_date=birth_date, nik_last4=nik_last4)}".encode()
    ).hexdigest()[:40]
    return f"track:page:{language}:{kind}:{secret}"


def tracking_page_forget(*, code: str, birth_date: dt.date, nik_last4: str = "") -> None:
    keys = [tracking_page_key(code=code, birth_date=birth_date, language=lang) for lang, _ in settings.LANGUAGES]
    if len(nik_last4) == 4:
        keys += [tracking_page_key(code=code, nik_last4=nik_last4, language=lang) for lang, _ in settings.LANGUAGES]
    cache.delete_many(keys)


@dataclass(frozen=True)
class Shown:
    """A moment as the page shows it: ISO for ``<time datetime>``, and day-month-year hour:minute."""

    iso: str = ""
    text: str = ""


def _wita(moment: dt.datetime | None) -> Shown:
    if moment is None:
        return Shown()
    local = timezone.localtime(moment)
    return Shown(local.isoformat(), local.strftime("%d-%m-%Y %H:%M"))


@dataclass(frozen=True)
class TrackingStep:
    number: int
    label: str
    done_at: dt.datetime | None
    rule: str
    current: bool

    @property
    def done_shown(self) -> Shown:
        return _wita(self.done_at)


@dataclass(frozen=True)
class TimelineEntry:
    """One handoff on the public page: what happened, when, and which agency (never a person)."""

    label: str
    at: Shown
    organisation: str


@dataclass(frozen=True)
class TrackingPage:
    """Everything the public tracking page and API show about one order, read in one query."""

    order: DeliveryOrder
    status_label: str
    holder: str
    area: str
    deadline_at: dt.datetime | None
    received_by: str
    received_at: dt.datetime | None
    steps: list[TrackingStep]
    timeline: list[TimelineEntry]

    @property
    def deadline_shown(self) -> Shown:
        return _wita(self.deadline_at)

    @property
    def received_shown(self) -> Shown:
        return _wita(self.received_at)


# The status that marks each step of the SOP done (steps 1 and 2 happen at the office, before the
# order exists), with the deadline the SOP sets for it.
_STEP_DONE_BY = {
    3: (S.BOOKED, _("Passport fee and delivery fee paid, power of attorney signed"), ""),
    4: (S.DOSSIER_HANDED, _("Dossier handed by PT Pos to Imigrasi"), ""),
    5: (S.RECEIVED_BY_POS, _("Passport received by the PT Pos service section"),
        _("at most 3 days after the dossier")),
    6: (S.WITH_DELIVERY_SECTION, _("Passport handed to the PT Pos delivery section"), _("the same day")),
    7: (S.DELIVERED, _("Passport delivered"), _("at most 1 day after step 6")),
}

# Who has the passport (or, before it is printed, is making it) in each state: an agency, never a
# person.
HOLDER = {
    S.BOOKED: _("Imigrasi (the passport is being made)"),
    S.DOSSIER_HANDED: _("Imigrasi (the passport is being made)"),
    S.PASSPORT_READY: _("Imigrasi (ready, waiting for release to PT Pos)"),
    S.RECEIVED_BY_POS: _("PT Pos, service section"),
    S.WITH_DELIVERY_SECTION: _("PT Pos, delivery section"),
    S.OUT_FOR_DELIVERY: _("PT Pos courier, on the way to you"),
    S.FAILED_ATTEMPT: _("PT Pos, delivery section"),
    S.RETURNED_TO_POS: _("PT Pos, service section"),
    S.RETURNED_TO_OFFICE: _("Imigrasi: collect it at the office"),
    S.DELIVERED: _("You (delivered)"),
    S.CANCELLED: _("Imigrasi: collect it at the office"),
}


def tracking_steps(order: DeliveryOrder, events) -> list[TrackingStep]:
    """The seven steps with the time each was done; the first open one is the current step."""
    application = order.application
    billing = getattr(application, "billing_code", None)
    last_at: dict[str, dt.datetime] = {}
    for event in events:
        last_at[event.to_status] = event.occurred_at
    booked_at = last_at.get(S.BOOKED)

    def not_after_booking(moment: dt.datetime) -> dt.datetime:
        # Orders booked with a back date (imports, the demo) must not show step 1 after step 3.
        return min(moment, booked_at) if booked_at else moment

    rows = [
        (1, _("Documents completed at the Imigrasi office"), not_after_booking(application.created_at), ""),
        (2, _("Billing code issued"), not_after_booking(billing.created_at if billing else application.created_at), ""),
    ]
    for number, (status, label, rule) in _STEP_DONE_BY.items():
        rows.append((number, label, last_at.get(status), rule))
    current_seen = order.status in FINAL_STATUSES
    steps = []
    for number, label, done_at, rule in rows:
        current = not current_seen and done_at is None
        current_seen = current_seen or current
        steps.append(TrackingStep(number=number, label=str(label), done_at=done_at, rule=str(rule),
                                  current=current))
    return steps


_STATUS_LABELS = dict(S.choices)


def _events_of(*, code: str, birth_date: dt.date | None) -> list[DeliveryEvent]:
    """The order's events oldest first, each carrying the order and what the page needs of it."""
    related = ["order__area", "order__application__billing_code", "order__proof", "office__organisation"]
    filters = {"order__code": code}
    if birth_date is not None:
        filters["order__application__applicant__birth_date"] = birth_date
    else:
        related.append("order__application__applicant")
    return list(
        DeliveryEvent.objects.select_related(*related).filter(**filters).order_by("occurred_at", "pk")
    )


def tracking_lookup(*, code: str, birth_date: dt.date | None = None, nik_last4: str = "") -> TrackingPage | None:
    """The tracking page of the order with ``code`` if the secret matches; None otherwise.

    One query: the events with their order (every order has at least its booking event; an order
    without one is read on its own)."""
    if birth_date is None and (len(nik_last4) != 4 or not nik_last4.isdigit()):
        return None
    events = _events_of(code=code, birth_date=birth_date)
    if events:
        order = events[0].order
        if birth_date is None and not _nik_matches(order, nik_last4):
            return None
    else:
        order = tracking_find(code=code, birth_date=birth_date, nik_last4=nik_last4)
        if order is None:
            return None
    proof = getattr(order, "proof", None) if order.status == S.DELIVERED else None
    received_by, received_at = "", None
    if proof is not None:
        from delivery.proof import receiver_text

        received_by = receiver_text(proof)
        received_at = next((e.occurred_at for e in events if e.pk == proof.event_id), None)
        if received_at is None:
            received_at = proof.event.occurred_at
    timeline = [
        TimelineEntry(label=str(_STATUS_LABELS.get(event.to_status, event.to_status)), at=_wita(event.occurred_at),
                      organisation=event.office.organisation.name if event.office else "")
        for event in events
    ]
    return TrackingPage(
        order=order, status_label=str(_STATUS_LABELS.get(order.status, order.status)),
        holder=str(HOLDER.get(order.status, "")), area=order.area.name, deadline_at=order.deadline_at,
        received_by=received_by, received_at=received_at, steps=tracking_steps(order, events),
        timeline=timeline,
    )
