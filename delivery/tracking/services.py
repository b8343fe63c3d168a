"""Public tracking: who may look, what they see, and the page cache.

A lookup needs the tracking code and a secret: the applicant's date of birth, or the last four
digits of the NIK (compared with the applicant of the order found by the code). The page posts them,
never puts them in an address; a lookup that matches answers with a short-lived signed link to the
order's page (``tracking_link_make``), which carries the tracking code only. Failed lookups are counted per
client address and per tracking code by the portal's one lookup lock (``core.lookups``), so neither
codes nor a code's secret can be guessed. An order's page is cached per language behind its links and dropped
whenever the order moves (``tracking_pages_forget``, called by the state machine after commit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.fields import ascii_digits, secret_equals
from core.lookups import lookup_failed, lookup_keys, lookup_locked_in, lookup_subject
from core.prepared import PreparedRead
from delivery.choices import FINAL_STATUSES, receiver_text
from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryEvent, DeliveryOrder


def tracking_subject(code: str) -> str:
    return lookup_subject("track", code)


def tracking_cached_lookup(*, client: str, code: str, page_key: str) -> tuple[bool, bytes | None]:
    """Whether the lookup is locked (for this client or this code, ``core.lookups``), and the
    cached page if any, in one round trip to the cache."""
    subject = tracking_subject(code) if code else ""
    keys = lookup_keys(client=client, subject=subject)
    found = cache.get_many([*keys, page_key])
    return lookup_locked_in(found, client=client, subject=subject), found.get(page_key)


def tracking_record_failure(*, client: str, code: str) -> None:
    lookup_failed(client=client, subject=tracking_subject(code) if code else "")


def tracking_find(
    *, code: str, birth_date: dt.date | None = None, nik_last4: str = ""
) -> DeliveryOrder | None:
    """The order with ``code`` whose applicant matches the secret given; None otherwise."""
    if birth_date is not None:
        return (
            DeliveryOrder.objects.select_related(
                "area", "application__billing_code", "delivery_window", "pickup_branch"
            )
            .filter(code=code, application__applicant__birth_date=birth_date)
            .first()
        )
    if not ascii_digits(nik_last4, length=4):
        return None
    order = (
        DeliveryOrder.objects.select_related(
            "area", "application__applicant", "application__billing_code", "delivery_window"
        )
        .filter(code=code)
        .first()
    )
    return (
        order
        if order is not None and _nik_matches(order.application.applicant.nik or "", nik_last4)
        else None
    )


def _nik_matches(nik: str, nik_last4: str) -> bool:
    return len(nik) >= 4 and secret_equals(nik_last4, nik[-4:])


_LINK_SALT = "delivery.tracking.link"


def tracking_link_make(code: str) -> str:
    """The token of a link to the order's page, made after a lookup that matched: signed, with its
    time, holding the tracking code only (no secret, nothing personal)."""
    return signing.dumps(code, salt=_LINK_SALT)


def tracking_link_read(token: str) -> str:
    """The tracking code of a link made less than ``TRACKING_LINK_SECONDS`` ago. Raises
    ``signing.SignatureExpired`` for an expired link and ``signing.BadSignature`` for any other."""
    code = signing.loads(token, salt=_LINK_SALT, max_age=settings.TRACKING_LINK_SECONDS)
    if not isinstance(code, str):
        raise signing.BadSignature("not a tracking link")
    return code


def tracking_link_page_key(*, code: str, language: str) -> str:
    return f"track:link:{language}:{code}"


def tracking_pages_forget(codes: list[str]) -> None:
    """Drop the cached pages of these orders in every language: one round trip to the cache for a
    whole batch."""
    cache.delete_many(
        [tracking_link_page_key(code=code, language=lang) for code in codes for lang, _ in settings.LANGUAGES]
    )


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

    @cached_property
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

    code: str
    status: str
    status_label: str
    holder: str
    area: str
    deadline_at: dt.datetime | None
    received_by: str
    received_at: dt.datetime | None
    steps: list[TrackingStep]
    timeline: list[TimelineEntry]
    delivery_date: dt.date | None = None
    delivery_window: str = ""  # the chosen time window (WITA), e.g. "08.00–12.00"
    # The Pos branch the applicant collects the passport at (empty: home delivery).
    pickup_branch: str = ""
    pickup_address: str = ""
    pickup_hours: str = ""

    @property
    def waiting_at_branch(self) -> bool:
        return self.status == S.AT_PICKUP_BRANCH

    @cached_property
    def deadline_shown(self) -> Shown:
        return _wita(self.deadline_at)

    @cached_property
    def received_shown(self) -> Shown:
        return _wita(self.received_at)


# The status that marks each step of the SOP done (steps 1 and 2 happen at the office, before the
# order exists), with the deadline the SOP sets for it.
_STEP_DONE_BY: dict[int, tuple[str, str | Promise, str | Promise]] = {
    3: (S.BOOKED, _("Passport fee and delivery fee paid, power of attorney signed"), ""),
    4: (S.DOSSIER_HANDED, _("Dossier handed by PT Pos to Imigrasi"), ""),
    5: (
        S.RECEIVED_BY_POS,
        _("Passport received by the PT Pos service section"),
        _("at most 3 days after the dossier"),
    ),
    6: (S.WITH_DELIVERY_SECTION, _("Passport handed to the PT Pos delivery section"), _("the same day")),
    7: (S.DELIVERED, _("Passport delivered"), _("at most 1 day after step 6")),
}

# Who has the passport (or, before it is printed, is making it) in each state: an agency, never a
# person.
HOLDER: dict[str, str | Promise] = {
    S.BOOKED: _("PT Pos counter (your dossier goes to Imigrasi next)"),
    S.DOSSIER_HANDED: _("Imigrasi (the passport is being made)"),
    S.PASSPORT_READY: _("Imigrasi (ready, waiting for release to PT Pos)"),
    S.RECEIVED_BY_POS: _("PT Pos, service section"),
    S.WITH_DELIVERY_SECTION: _("PT Pos, delivery section"),
    S.OUT_FOR_DELIVERY: _("PT Pos courier, on the way to you"),
    S.FAILED_ATTEMPT: _("PT Pos, delivery section"),
    S.AT_PICKUP_BRANCH: _("PT Pos branch: waiting for you to collect it"),
    S.RETURNED_TO_POS: _("PT Pos, service section"),
    S.RETURNED_TO_OFFICE: _("Imigrasi: collect it at the office"),
    S.DELIVERED: _("You (delivered)"),
    S.CANCELLED: _("Imigrasi: collect it at the office"),
}


@dataclass(frozen=True)
class _Order:
    """What the page needs of the order, its application and its proof of delivery: plain values."""

    code: str
    status: str
    deadline_at: dt.datetime | None
    area: str
    applied_at: dt.datetime
    billed_at: dt.datetime | None
    proof_event_id: int | None
    receiver_kind: str | None
    receiver_name: str | None
    relation: str | None
    delivery_date: dt.date | None
    window_starts_at: dt.time | None
    window_ends_at: dt.time | None
    pickup_branch: str | None = None
    pickup_address: str | None = None
    pickup_hours: str | None = None


# The columns of ``_Order`` as read from an event, in the same order (then the event's own).
_ORDER_COLUMNS = (
    "order__code",
    "order__status",
    "order__deadline_at",
    "order__area__name",
    "order__application__created_at",
    "order__application__billing_code__created_at",
    "order__proof__event_id",
    "order__proof__receiver_kind",
    "order__proof__receiver_name",
    "order__proof__relation",
    "order__delivery_date",
    "order__delivery_window__starts_at",
    "order__delivery_window__ends_at",
    "order__pickup_branch__name",
    "order__pickup_branch__address",
    "order__pickup_branch__opening_hours",
)
_EVENT_COLUMNS = ("pk", "to_status", "occurred_at", "office__organisation__name")


def tracking_steps(order: _Order, last_at: dict[str, dt.datetime]) -> list[TrackingStep]:
    """The seven steps with the time each was done; the first open one is the current step.

    ``last_at`` maps each status to the last time the order entered it."""
    booked_at = last_at.get(S.BOOKED)

    def not_after_booking(moment: dt.datetime) -> dt.datetime:
        # Orders booked with a back date (imports, the demo) must not show step 1 after step 3.
        return min(moment, booked_at) if booked_at else moment

    rows: list[tuple[int, str | Promise, dt.datetime | None, str | Promise]] = [
        (1, _("Documents completed at the Imigrasi office"), not_after_booking(order.applied_at), ""),
        (2, _("Billing code issued"), not_after_booking(order.billed_at or order.applied_at), ""),
    ]
    for number, (status, label, rule) in _STEP_DONE_BY.items():
        rows.append((number, label, last_at.get(status), rule))
    current_seen = order.status in FINAL_STATUSES
    steps = []
    for number, label, done_at, rule in rows:
        current = not current_seen and done_at is None
        current_seen = current_seen or current
        steps.append(
            TrackingStep(number=number, label=str(label), done_at=done_at, rule=str(rule), current=current)
        )
    return steps


_STATUS_LABELS: dict[str, str | Promise] = dict(S.choices)


def _events_read(*, secret: str) -> PreparedRead:
    """One row per event of the order, oldest first: the order's columns, the event's, then (for a
    look-up by NIK digits) the applicant's NIK. ``secret`` is "birth_date" (a look-up that matches
    the date of birth in the same query), "nik" (the NIK read with the rows, compared after) or ""
    (the page behind a tracking link: no secret is asked again, none is read). Values only: no
    model is built."""
    columns = (*_ORDER_COLUMNS, *_EVENT_COLUMNS)

    def build(code: str, birth_date: dt.date | None = None) -> QuerySet[DeliveryEvent, tuple[Any, ...]]:
        events = DeliveryEvent.objects.filter(order__code=code).order_by("occurred_at", "pk")
        if secret == "birth_date":  # then ``birth_date`` is given
            return events.filter(
                order__application__applicant__birth_date=cast(dt.date, birth_date)
            ).values_list(*columns)
        if secret == "nik":
            return events.values_list(*columns, "order__application__applicant__nik")
        return events.values_list(*columns)

    samples: dict[str, object] = {"code": "\x01code"}
    if secret == "birth_date":
        samples["birth_date"] = dt.date(1111, 11, 11)
    return PreparedRead(f"tracking_by_{secret or 'code'}", build, samples)


_BY_BIRTH_DATE = _events_read(secret="birth_date")
_BY_NIK = _events_read(secret="nik")
_BY_CODE = _events_read(secret="")


def _match_read(*, secret: str) -> PreparedRead:
    """The order with the code, one short row: its id when the date of birth matches
    (``secret="birth_date"``), or its applicant's NIK to compare with the digits (``"nik"``)."""

    def build(code: str, birth_date: dt.date | None = None) -> QuerySet[DeliveryOrder, tuple[Any, ...]]:
        orders = DeliveryOrder.objects.filter(code=code)
        if secret == "birth_date":
            return orders.filter(application__applicant__birth_date=cast(dt.date, birth_date)).values_list(
                "pk"
            )
        return orders.values_list("application__applicant__nik")

    samples: dict[str, object] = {"code": "\x01code"}
    if secret == "birth_date":
        samples["birth_date"] = dt.date(1111, 11, 11)
    return PreparedRead(f"tracking_match_by_{secret}", build, samples)


_MATCH_BY_BIRTH_DATE = _match_read(secret="birth_date")
_MATCH_BY_NIK = _match_read(secret="nik")


def tracking_matches(*, code: str, birth_date: dt.date | None = None, nik_last4: str = "") -> bool:
    """Whether the order with ``code`` exists and its applicant matches the secret given: the
    posted look-up's question, answered from the order's row alone (the page behind the link
    then reads the events, once)."""
    if birth_date is not None:
        return bool(_MATCH_BY_BIRTH_DATE.rows(code=code, birth_date=birth_date))
    if not ascii_digits(nik_last4, length=4):
        return False
    rows = _MATCH_BY_NIK.rows(code=code)
    return bool(rows) and _nik_matches(rows[0][0] or "", nik_last4)


def _order_without_events(order: DeliveryOrder | None) -> _Order | None:
    """An order with no event yet (none is made without its booking event; kept for safety). Without
    an event it has no proof of delivery either (the proof points at its event)."""
    if order is None:
        return None
    billing = getattr(order.application, "billing_code", None)
    return _Order(
        code=order.code,
        status=order.status,
        deadline_at=order.deadline_at,
        area=order.area.name,
        applied_at=order.application.created_at,
        billed_at=billing.created_at if billing else None,
        proof_event_id=None,
        receiver_kind=None,
        receiver_name=None,
        relation=None,
        delivery_date=order.delivery_date,
        window_starts_at=order.delivery_window.starts_at if order.delivery_window else None,
        window_ends_at=order.delivery_window.ends_at if order.delivery_window else None,
        pickup_branch=order.pickup_branch.name if order.pickup_branch else None,
        pickup_address=order.pickup_branch.address if order.pickup_branch else None,
        pickup_hours=order.pickup_branch.opening_hours if order.pickup_branch else None,
    )


def tracking_lookup(
    *, code: str, birth_date: dt.date | None = None, nik_last4: str = ""
) -> TrackingPage | None:
    """The tracking page of the order with ``code`` if the secret matches; None otherwise (the
    API's look-up, which answers with the page itself).

    One query: the order's events, each with the columns the page shows of the order."""
    if birth_date is None and not ascii_digits(nik_last4, length=4):
        return None
    if birth_date is not None:
        rows = _BY_BIRTH_DATE.rows(code=code, birth_date=birth_date)
    else:
        rows = _BY_NIK.rows(code=code)
        if rows and not _nik_matches(rows[0][-1] or "", nik_last4):
            return None
    if rows:
        return _tracking_page(rows)
    found = _order_without_events(tracking_find(code=code, birth_date=birth_date, nik_last4=nik_last4))
    return None if found is None else _tracking_page([], found)


def tracking_page_linked(code: str) -> TrackingPage | None:
    """The page of the order behind a tracking link (``tracking_link_read``): the link was made
    after a lookup that matched, so no secret is asked again (nor read)."""
    rows = _BY_CODE.rows(code=code)
    if rows:
        return _tracking_page(rows)
    found = _order_without_events(
        DeliveryOrder.objects.select_related(
            "area", "application__billing_code", "delivery_window", "pickup_branch"
        )
        .filter(code=code)
        .first()
    )
    return None if found is None else _tracking_page([], found)


def _tracking_page(rows: list[tuple[Any, ...]], empty: _Order | None = None) -> TrackingPage:
    """The page from the rows of ``_events_read`` (or of an order without events, ``empty``)."""
    width = len(_ORDER_COLUMNS)
    if rows:
        order = _Order(*rows[0][:width])
        events = [row[width : width + len(_EVENT_COLUMNS)] for row in rows]
    else:
        order = cast(_Order, empty)
        events = []
    last_at: dict[str, dt.datetime] = {}
    for _pk, to_status, occurred_at, _organisation in events:
        last_at[to_status] = occurred_at
    received_by, received_at = "", None
    if order.status == S.DELIVERED and order.proof_event_id is not None:
        # An order with a proof of delivery has its receiver's columns.
        received_by = receiver_text(
            kind=cast(str, order.receiver_kind),
            name=cast(str, order.receiver_name),
            relation=cast(str, order.relation),
        )
        received_at = next((at for pk, _status, at, _org in events if pk == order.proof_event_id), None)
    timeline = [
        TimelineEntry(
            label=str(_STATUS_LABELS.get(to_status, to_status)),
            at=_wita(occurred_at),
            organisation=organisation or "",
        )
        for _pk, to_status, occurred_at, organisation in events
    ]
    return TrackingPage(
        code=order.code,
        status=order.status,
        status_label=str(_STATUS_LABELS.get(order.status, order.status)),
        holder=str(HOLDER.get(order.status, "")),
        area=order.area,
        deadline_at=order.deadline_at,
        received_by=received_by,
        received_at=received_at,
        steps=tracking_steps(order, last_at),
        timeline=timeline,
        delivery_date=order.delivery_date if order.window_starts_at else None,
        delivery_window=(
            f"{order.window_starts_at:%H.%M}\u2013{order.window_ends_at:%H.%M}"
            if order.window_starts_at and order.window_ends_at
            else ""
        ),
        pickup_branch=order.pickup_branch or "",
        pickup_address=order.pickup_address or "",
        pickup_hours=order.pickup_hours or "",
    )
