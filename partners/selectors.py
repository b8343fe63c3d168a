"""Reads for the partnership pages and the dashboard.

Every figure of events comes from the monthly roll-up (``partners.rollups``) plus the few events not
rolled up yet, read once per dashboard, so neither the number of queries nor the time a dashboard
needs grows with the number of orders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connections, router
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from complaints.choices import ComplaintCategory
from complaints.models import Complaint
from core.db_router import reads_from_replica
from delivery.choices import DeliveryStatus as S
from delivery.models import (
    Area,
    Courier,
    DeliveryOrder,
    LostPassportCase,
    LostPassportStatus,
    SatisfactionRating,
    VanStandby,
)
from ledger.choices import MovementKind, Revenue, StatementStatus
from ledger.models import Movement, Statement, StatementDifference
from organisations.models import Office
from partners.choices import ActionItemStatus, MeetingStatus, UptakeSource
from partners.models import ActionItem, EvaluationMeeting, UptakeMonth
from partners.rollups import FigureRow, courier_rows, figure_rows, month_rows
from partners.scopes import Scope
from passports.models import BillingCode, PassportApplication

OPEN_LOST_STATUSES = (LostPassportStatus.REPORTED, LostPassportStatus.POLICE_REPORT)

MONTH_NAMES = [
    _("Jan"),
    _("Feb"),
    _("Mar"),
    _("Apr"),
    _("May"),
    _("Jun"),
    _("Jul"),
    _("Aug"),
    _("Sep"),
    _("Oct"),
    _("Nov"),
    _("Dec"),
]


def share_truncated(delivered: int | None, issued: int | None) -> Decimal | None:
    """delivered / issued in percent, TRUNCATED to two decimals as the study prints it."""
    if delivered is None or not issued:
        return None
    return Decimal(delivered * 10000 // issued).scaleb(-2)


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day of the first month
    end: dt.date  # first day of the last month

    def months(self) -> list[tuple[int, int]]:
        out, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            out.append((year, month))
            month += 1
            if month == 13:
                year, month = year + 1, 1
        return out

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        last = self.end
        after = dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1)
        return start, dt.datetime.combine(after, dt.time.min, tzinfo=tz)


def default_period(*, today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    first = UptakeMonth.objects.order_by("year", "month").values_list("year", flat=True).first()
    return Period(start=dt.date(first or today.year, 1, 1), end=dt.date(today.year, today.month, 1))


@dataclass
class UptakeRow:
    year: int
    month: int
    label: str
    issued: int | None
    booked: int | None
    delivered: int | None
    share: Decimal | None
    from_study: bool = False


@dataclass
class UptakeYear:
    year: int
    rows: list[UptakeRow] = field(default_factory=list)
    issued: int = 0
    booked: int | None = 0
    delivered: int = 0
    share: Decimal | None = None


def _rows(
    period: Period, area: Area | None, rows: list[FigureRow] | None, offices: frozenset[int] | None = None
) -> list[FigureRow]:
    if rows is not None:
        return rows
    start, end = period.bounds()
    return figure_rows(start=start, end=end, area_id=area.pk if area else None, office_ids=offices)


@dataclass(frozen=True)
class _Entered:
    """A month's passports issued, summed over the offices in view; the study's own figures when
    every row of the month is the study's."""

    issued: int
    from_study: bool
    booked_reported: int | None
    delivered_reported: int | None
    reported_missing: bool


def _uptake_entered(rows: QuerySet[UptakeMonth]) -> dict[tuple[int, int], _Entered]:
    grouped: dict[tuple[int, int], list[UptakeMonth]] = {}
    for row in rows.order_by("year", "month", "pk"):
        grouped.setdefault((row.year, row.month), []).append(row)
    out = {}
    for key, items in grouped.items():
        study = all(item.source == UptakeSource.STUDY for item in items)
        booked = [item.booked_reported for item in items]
        delivered = [item.delivered_reported for item in items]
        out[key] = _Entered(
            issued=sum(item.issued for item in items),
            from_study=study,
            booked_reported=None if None in booked else sum(b for b in booked if b is not None),
            delivered_reported=None if None in delivered else sum(d for d in delivered if d is not None),
            reported_missing=any(item.reported_missing for item in items),
        )
    return out


def uptake(
    *,
    period: Period,
    area: Area | None = None,
    rows: list[FigureRow] | None = None,
    offices: frozenset[int] | None = None,
) -> list[UptakeYear]:
    """Passports issued against deliveries booked and delivered, month by month and per year.

    For months the study reports, its delivered figures are used; otherwise orders and events count.
    """
    months = period.months()
    years = sorted({y for y, _m in months})
    entered_rows = UptakeMonth.objects.filter(year__in=years)
    if offices is not None:
        entered_rows = entered_rows.filter(office_id__in=offices)
    entered = _uptake_entered(entered_rows)
    booked: dict[tuple[int, int], int] = {}
    delivered: dict[tuple[int, int], int] = {}
    by_status: dict[str, dict[tuple[int, int], int]] = {S.BOOKED: booked, S.DELIVERED: delivered}
    for r in month_rows(_rows(period, area, rows, offices)):
        target = by_status.get(r["to_status"])
        if target is not None and r["month"] is not None:
            key = (r["month"].year, r["month"].month)
            target[key] = target.get(key, 0) + r["n"]
    out: dict[int, UptakeYear] = {}
    for year, month in months:
        row_in = entered.get((year, month))
        from_study = row_in is not None and row_in.from_study and area is None
        if row_in is not None and from_study:
            d = None if row_in.reported_missing else row_in.delivered_reported
            b = row_in.booked_reported
        else:
            d = delivered.get((year, month), 0)
            b = booked.get((year, month), 0)
        issued = row_in.issued if row_in else None
        row = UptakeRow(
            year=year,
            month=month,
            label=str(MONTH_NAMES[month - 1]),
            issued=issued,
            booked=b,
            delivered=d,
            share=share_truncated(d, issued),
            from_study=from_study,
        )
        bucket = out.setdefault(year, UptakeYear(year=year))
        bucket.rows.append(row)
        bucket.issued += issued or 0
        bucket.delivered += d or 0
        if bucket.booked is not None:
            bucket.booked = None if b is None else bucket.booked + b
    for bucket in out.values():
        bucket.share = share_truncated(bucket.delivered, bucket.issued)
    return [out[y] for y in sorted(out)]


@dataclass(frozen=True)
class LegCompliance:
    key: str
    label: object
    deadline: object
    done: int
    on_time: int

    @property
    def late(self) -> int:
        return self.done - self.on_time

    @property
    def percent(self) -> Decimal | None:
        return share_truncated(self.on_time, self.done)


# (key, label, deadline, event that starts the clock, event that ends the leg)
LEGS = [
    ("step5", _("Step 5: Imigrasi to Pos service section"), _("3 days"), S.DOSSIER_HANDED, S.RECEIVED_BY_POS),
    (
        "step6",
        _("Step 6: service section to delivery section"),
        _("same day"),
        S.RECEIVED_BY_POS,
        S.WITH_DELIVERY_SECTION,
    ),
    ("step7", _("Step 7: delivery to the applicant"), _("1 day"), S.WITH_DELIVERY_SECTION, S.DELIVERED),
]


def deadline_compliance(
    *,
    period: Period,
    area: Area | None = None,
    rows: list[FigureRow] | None = None,
    offices: frozenset[int] | None = None,
) -> list[LegCompliance]:
    """Per leg: the legs that ended in the period, and how many ended by their deadline.

    Each event that ends a leg says whether the leg was on time (``leg_on_time``, set by the state
    machine), so this is a sum over the monthly figures, whatever the number of events.
    """
    done: dict[str, int] = {}
    on_time: dict[str, int] = {}
    for r in month_rows(_rows(period, area, rows, offices)):
        done[r["to_status"]] = done.get(r["to_status"], 0) + r["n"]
        on_time[r["to_status"]] = on_time.get(r["to_status"], 0) + r["on_time"]
    return [
        LegCompliance(
            key=key,
            label=label,
            deadline=deadline,
            done=done.get(leg_end, 0),
            on_time=on_time.get(leg_end, 0),
        )
        for key, label, deadline, _begins, leg_end in LEGS
    ]


FAILED_REASON_LABELS = {
    "not_at_home": _("Nobody at home"),
    "wrong_address": _("Wrong address"),
    "refused": _("Refused"),
    "no_id": _("No identity document"),
}


def failed_attempts_by_reason(
    *,
    period: Period,
    area: Area | None = None,
    rows: list[FigureRow] | None = None,
    offices: frozenset[int] | None = None,
) -> list[tuple[str, object, int]]:
    counts: dict[str, int] = {}
    for r in month_rows(_rows(period, area, rows, offices)):
        if r["to_status"] == S.FAILED_ATTEMPT:
            counts[r["reason"]] = counts.get(r["reason"], 0) + r["n"]
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [
        (reason, FAILED_REASON_LABELS.get(reason, reason or _("No reason given")), n) for reason, n in ordered
    ]


@dataclass(frozen=True)
class CourierFigures:
    name: str
    delivered: int
    failed: int

    @property
    def success(self) -> Decimal | None:
        return share_truncated(self.delivered, self.delivered + self.failed)


def courier_performance(
    *,
    period: Period,
    area: Area | None = None,
    rows: list[FigureRow] | None = None,
    offices: frozenset[int] | None = None,
) -> list[CourierFigures]:
    delivered: dict[int, int] = {}
    failed: dict[int, int] = {}
    for r in courier_rows(_rows(period, area, rows, offices)):
        if r["to_status"] in (S.DELIVERED, S.FAILED_ATTEMPT):
            target = delivered if r["to_status"] == S.DELIVERED else failed
            target[r["courier_id"]] = target.get(r["courier_id"], 0) + r["n"]
    ids = set(delivered) | set(failed)
    names = dict(Courier.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    return sorted(
        (CourierFigures(names.get(pk, "?"), delivered.get(pk, 0), failed.get(pk, 0)) for pk in ids),
        key=lambda figures: figures.name,
    )


@dataclass(frozen=True)
class ComplaintFigures:
    category: str  # "" for the total row
    label: object
    count: int
    answered: int  # with a first response
    median_hours: float | None  # to the first response, over the answered ones
    mean_hours: float | None
    breaches: int  # first response after 24 hours, or none and 24 hours are over


def _hours(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    ordered = sorted(values)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return round(median, 1), round(sum(ordered) / len(ordered), 1)


def complaints_by_category(
    *,
    period: Period,
    area: Area | None = None,
    now: dt.datetime | None = None,
    offices: frozenset[int] | None = None,
) -> list[ComplaintFigures]:
    """Complaints filed in the period per category, with first response times and 24-hour breaches.

    One query: the filing, due and first-response times of the period's complaints (a median is not
    portable SQL, and complaints number in the thousands, not millions); with an area, only
    complaints about orders to that area count.
    """
    now = now or timezone.now()
    start, end = period.bounds()
    qs = Complaint.objects.filter(filed_at__gte=start, filed_at__lt=end)
    if area is not None:
        qs = qs.filter(order__area=area)
    if offices is not None:
        qs = qs.filter(office_id__in=offices)
    rows = qs.order_by().values_list("category", "filed_at", "first_response_due_at", "first_response_at")
    grouped: dict[str, list[tuple[dt.datetime, dt.datetime, dt.datetime | None]]] = {}
    for category, filed_at, due_at, answered_at in rows:
        grouped.setdefault(category, []).append((filed_at, due_at, answered_at))

    def figures(
        category: str, label: object, items: list[tuple[dt.datetime, dt.datetime, dt.datetime | None]]
    ) -> ComplaintFigures:
        waits = [(a - f).total_seconds() / 3600 for f, _d, a in items if a is not None]
        median, mean = _hours(waits)
        breaches = sum(1 for _f, d, a in items if (a is not None and a > d) or (a is None and d < now))
        return ComplaintFigures(
            category=category,
            label=label,
            count=len(items),
            answered=len(waits),
            median_hours=median,
            mean_hours=mean,
            breaches=breaches,
        )

    out = [
        figures(value, label, grouped[value])
        for value, label in ComplaintCategory.choices
        if value in grouped
    ]
    if out:
        out.append(figures("", _("All complaints"), [i for items in grouped.values() for i in items]))
    return out


@dataclass(frozen=True)
class ConversionRow:
    key: str  # the office's or officer's id, or the day (YYYY-MM-DD)
    label: str
    issued: int  # billing codes issued
    booked: int  # of which delivery was booked (by any way of booking, up to today)

    @property
    def percent(self) -> Decimal | None:
        return share_truncated(self.booked, self.issued)


@dataclass(frozen=True)
class ConversionFigures:
    """Deliveries booked / billing codes issued: the promotion of delivery at the Imigrasi counter.

    The billing codes issued in the period count, each with whether its passport's delivery was
    booked (whenever). With an area, only deliveries to that area count as booked; the billing codes
    are all of them (the area is not known when the code is issued)."""

    total: ConversionRow
    offices: list[ConversionRow]
    officers: list[ConversionRow]  # the counter officer who issued the billing code
    days: list[ConversionRow]  # days with a billing code issued, WITA

    def tables(self) -> list[tuple[list[ConversionRow], str, object, object]]:
        """(rows, table id, caption, first column's heading) for the page, the PDF and the exports."""
        return [
            (self.offices, "conversion-offices", _("Per Imigrasi office"), _("Office")),
            (
                self.officers,
                "conversion-officers",
                _("Per counter officer who issued the billing code"),
                _("Counter officer"),
            ),
            (self.days, "conversion-days", _("Per day the billing code was issued"), _("Day")),
        ]


def _officer_name(first: str | None, last: str | None, username: str | None) -> str:
    name = f"{first or ''} {last or ''}".strip()
    return name or username or str(_("Unknown officer"))


def booking_conversion(
    *, period: Period, area: Area | None = None, offices: frozenset[int] | None = None
) -> ConversionFigures:
    """Three grouped queries (per office, per officer, per day), whatever the number of codes; on
    PostgreSQL one query with the three groupings (``_conversion_grouping_sets``)."""
    start, end = period.bounds()
    database = router.db_for_read(BillingCode)
    if connections[database].vendor == "postgresql":
        return _conversion_grouping_sets(database, start=start, end=end, area=area, offices=offices)
    codes = BillingCode.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
    if offices is not None:
        codes = codes.filter(application__office_id__in=offices)
    booked_filter = Q(application__delivery_order__isnull=False)
    if area is not None:
        booked_filter = Q(application__delivery_order__area=area)
    office_rows = [
        ConversionRow(
            str(r["application__office_id"]), r["application__office__name"], r["issued"], r["booked"]
        )
        for r in codes.values("application__office_id", "application__office__name")
        .annotate(issued=Count("pk"), booked=Count("pk", filter=booked_filter))
        .order_by("application__office__name")
    ]
    officers = sorted(
        (
            ConversionRow(
                str(r["application__created_by_id"] or ""),
                _officer_name(
                    r["application__created_by__first_name"],
                    r["application__created_by__last_name"],
                    r["application__created_by__username"],
                ),
                r["issued"],
                r["booked"],
            )
            for r in codes.values(
                "application__created_by_id",
                "application__created_by__first_name",
                "application__created_by__last_name",
                "application__created_by__username",
            ).annotate(issued=Count("pk"), booked=Count("pk", filter=booked_filter))
        ),
        key=lambda row: (row.label, row.key),
    )
    days = [
        ConversionRow(f"{r['day']:%Y-%m-%d}", f"{r['day']:%d/%m/%Y}", r["issued"], r["booked"])
        for r in codes.annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(issued=Count("pk"), booked=Count("pk", filter=booked_filter))
        .order_by("day")
    ]
    return _conversion_figures(office_rows, officers, days)


def _conversion_figures(
    offices: list[ConversionRow], officers: list[ConversionRow], days: list[ConversionRow]
) -> ConversionFigures:
    total = ConversionRow(
        "", str(_("All billing codes")), sum(r.issued for r in offices), sum(r.booked for r in offices)
    )
    return ConversionFigures(total=total, offices=offices, officers=officers, days=days)


def _conversion_grouping_sets(
    database: str,
    *,
    start: dt.datetime,
    end: dt.datetime,
    area: Area | None,
    offices: frozenset[int] | None,
) -> ConversionFigures:
    """The figures of ``booking_conversion`` in one pass over the billing codes: PostgreSQL groups the
    joined rows three ways at once (GROUPING SETS, which the ORM cannot say), where the three grouped
    queries joined the codes, applications and orders three times (2.6 s of the national dashboard's
    2.8 s at 1,000,000 codes)."""
    code, application = BillingCode._meta.db_table, PassportApplication._meta.db_table
    order_table = DeliveryOrder._meta.db_table
    booked = "d.id IS NOT NULL" if area is None else "d.area_id = %(area)s"
    sql = f"""
        SELECT GROUPING(a.office_id) = 0, GROUPING(a.created_by_id) = 0,
               a.office_id, o.name, a.created_by_id, u.first_name, u.last_name, u.username,
               (b.created_at AT TIME ZONE %(zone)s)::date AS day,
               COUNT(b.id), COUNT(b.id) FILTER (WHERE {booked})
        FROM {code} b
        JOIN {application} a ON a.id = b.application_id
        JOIN {Office._meta.db_table} o ON o.id = a.office_id
        LEFT JOIN {User._meta.db_table} u ON u.id = a.created_by_id
        LEFT JOIN {order_table} d ON d.application_id = a.id
        WHERE b.created_at >= %(start)s AND b.created_at < %(end)s
          {"AND a.office_id = ANY(%(offices)s)" if offices is not None else ""}
        GROUP BY GROUPING SETS ((a.office_id, o.name), (a.created_by_id, u.first_name, u.last_name, u.username), (day))
    """  # noqa: S608 - the table names are the models'; every value is a parameter
    params: dict[str, Any] = {
        "zone": timezone.get_current_timezone_name(),
        "start": start,
        "end": end,
        "area": area.pk if area is not None else None,
        "offices": sorted(offices) if offices is not None else None,
    }
    office_rows: list[ConversionRow] = []
    officers: list[ConversionRow] = []
    days: list[tuple[dt.date, int, int]] = []
    with connections[database].cursor() as cursor:
        cursor.execute(sql, params)
        for (
            by_office,
            by_officer,
            office_id,
            name,
            officer_id,
            first,
            last,
            username,
            day,
            issued,
            n,
        ) in cursor:
            if by_office:
                office_rows.append(ConversionRow(str(office_id), name, issued, n))
            elif by_officer:
                officers.append(
                    ConversionRow(str(officer_id or ""), _officer_name(first, last, username), issued, n)
                )
            else:
                days.append((day, issued, n))
    office_rows.sort(key=lambda row: row.label)
    officers.sort(key=lambda row: (row.label, row.key))
    day_rows = [ConversionRow(f"{d:%Y-%m-%d}", f"{d:%d/%m/%Y}", issued, n) for d, issued, n in sorted(days)]
    return _conversion_figures(office_rows, officers, day_rows)


@dataclass(frozen=True)
class SatisfactionRow:
    key: str  # YYYY-MM, or "" for the total
    label: str  # "Dec 2026", or "All ratings"
    ratings: int
    score_sum: int
    good: int  # ratings of 4 or 5

    @property
    def average(self) -> Decimal | None:
        """The average score, rounded to two decimals."""
        if not self.ratings:
            return None
        return (Decimal(self.score_sum) / self.ratings).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def good_percent(self) -> Decimal | None:
        """The share of 4 and 5 in percent, truncated to two decimals like the other shares."""
        return share_truncated(self.good, self.ratings)


@dataclass(frozen=True)
class SatisfactionComment:
    month: str  # YYYY-MM
    label: str  # "Dec 2026"
    text: str


@dataclass(frozen=True)
class SatisfactionFigures:
    """ "Tell us how it went": the applicants' ratings (1-5) of their deliveries, by the month they
    were given, and the latest comments with their month only (no order, no name)."""

    total: SatisfactionRow
    months: list[SatisfactionRow]  # months with at least one rating, oldest first
    comments: list[SatisfactionComment]  # the latest first


LATEST_COMMENTS = 10


def _month_label(month: dt.date | dt.datetime) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def _ratings_in(
    start: dt.datetime, end: dt.datetime, area: Area | None, offices: frozenset[int] | None = None
) -> QuerySet[SatisfactionRating]:
    ratings = SatisfactionRating.objects.filter(rated_at__gte=start, rated_at__lt=end).order_by()
    if offices is not None:
        ratings = ratings.filter(order__imigrasi_office_id__in=offices)
    return ratings.filter(order__area=area) if area is not None else ratings


def satisfaction(
    *, period: Period, area: Area | None = None, offices: frozenset[int] | None = None
) -> SatisfactionFigures:
    """Two queries (the months grouped in the database, the latest comments), whatever the number of
    ratings. A rating counts in the month it was first given; a change within its week keeps the
    month. With an area, only ratings of deliveries to the area count."""
    start, end = period.bounds()
    ratings = _ratings_in(start, end, area, offices)
    months = [
        SatisfactionRow(
            key=f"{r['month']:%Y-%m}",
            label=_month_label(r["month"]),
            ratings=r["n"],
            score_sum=r["score_sum"],
            good=r["good"],
        )
        for r in ratings.annotate(month=TruncMonth("rated_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(n=Count("pk"), score_sum=Sum("score"), good=Count("pk", filter=Q(score__gte=4)))
        .order_by("month")
    ]
    comments = [
        SatisfactionComment(
            month=f"{timezone.localtime(rated_at):%Y-%m}",
            label=_month_label(timezone.localtime(rated_at)),
            text=text,
        )
        for text, rated_at in ratings.exclude(comment="")
        .order_by("-rated_at", "-pk")
        .values_list("comment", "rated_at")[:LATEST_COMMENTS]
    ]
    total = SatisfactionRow(
        key="",
        label=str(_("All ratings")),
        ratings=sum(m.ratings for m in months),
        score_sum=sum(m.score_sum for m in months),
        good=sum(m.good for m in months),
    )
    return SatisfactionFigures(total=total, months=months, comments=comments)


@dataclass(frozen=True)
class MoneyMonth:
    key: str  # YYYY-MM
    label: str
    state_fees: int  # state revenue by NTPN, net of reversals
    delivery_fees: int  # PT Pos's fees, differences and collections at the door, net of reversals
    refunds: int  # money paid back (negative)
    open_differences: int  # NTPN differences on statements not yet approved by both agencies
    days_not_approved: int  # statements of the month not yet approved by both agencies


@dataclass(frozen=True)
class MoneyFigures:
    """Money by month from the ledger (``business_day``, WITA) and the daily statements. The ledger
    is kept per office, not per area: with an area chosen, the figures are still the offices'."""

    months: list[MoneyMonth]
    total: MoneyMonth


def money_by_month(*, period: Period, offices: frozenset[int] | None = None) -> MoneyFigures:
    """Three grouped queries (ledger, differences, statements) whatever the number of rows. With
    ``offices``, the rows of those Imigrasi offices and of the Pos offices serving them."""
    start, end = period.bounds()
    days = {"business_day__gte": start.date(), "business_day__lt": end.date()}
    movements = Movement.objects.filter(**days)
    statements = Statement.objects.filter(day__gte=start.date(), day__lt=end.date())
    if offices is not None:
        movements = movements.filter(Q(office_id__in=offices) | Q(office__serves_id__in=offices))
        statements = statements.filter(imigrasi_office_id__in=offices)
    sums: dict[str, dict[str, int]] = {}
    for r in (
        movements.annotate(month=TruncMonth("business_day"))
        .values("month", "revenue", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        key = f"{r['month']:%Y-%m}"
        month = sums.setdefault(key, {"state": 0, "pos": 0, "refund": 0})
        if r["kind"] == MovementKind.REFUND:
            month["refund"] += r["total"]
        elif r["revenue"] == Revenue.STATE:
            month["state"] += r["total"]
        else:
            month["pos"] += r["total"]
    statements = statements.exclude(status=StatementStatus.APPROVED)
    waiting: dict[str, int] = {}
    for w in statements.annotate(month=TruncMonth("day")).values("month").annotate(n=Count("pk")).order_by():
        waiting[f"{w['month']:%Y-%m}"] = w["n"]
    differences: dict[str, int] = {}
    for d in (
        StatementDifference.objects.filter(statement__in=statements)
        .annotate(month=TruncMonth("statement__day"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        differences[f"{d['month']:%Y-%m}"] = d["n"]
    months = [
        MoneyMonth(
            key=key,
            label=f"{key[5:]}/{key[:4]}",
            state_fees=sums.get(key, {}).get("state", 0),
            delivery_fees=sums.get(key, {}).get("pos", 0),
            refunds=sums.get(key, {}).get("refund", 0),
            open_differences=differences.get(key, 0),
            days_not_approved=waiting.get(key, 0),
        )
        for key in sorted(set(sums) | set(waiting) | set(differences))
    ]
    total = MoneyMonth(
        key="",
        label=str(_("All months")),
        state_fees=sum(m.state_fees for m in months),
        delivery_fees=sum(m.delivery_fees for m in months),
        refunds=sum(m.refunds for m in months),
        open_differences=sum(m.open_differences for m in months),
        days_not_approved=sum(m.days_not_approved for m in months),
    )
    return MoneyFigures(months=months, total=total)


@dataclass
class Dashboard:
    period: Period
    area: Area | None
    scope: Scope | None
    uptake: list[UptakeYear]
    compliance: list[LegCompliance]
    failed: list[tuple[str, object, int]]
    couriers: list[CourierFigures]
    van: VanFigures | None = None
    complaints: list[ComplaintFigures] = field(default_factory=list)
    lost: LostCaseFigures | None = None
    conversion: ConversionFigures | None = None
    satisfaction: SatisfactionFigures | None = None
    money: MoneyFigures | None = None


@dataclass(frozen=True)
class OpenLostCase:
    number: str
    order_code: str
    kind: str
    status: str
    reported_at: dt.datetime
    age_days: int
    last_holder: str  # role, office


@dataclass(frozen=True)
class LostCaseFigures:
    open: list[OpenLostCase]  # every case still open today, oldest first, whatever the period
    reported: int  # cases reported in the period
    found: int  # decided "found" in the period
    reissued: int  # decided "cancelled and reissued" in the period


def lost_case_figures(
    *, period: Period, area: Area | None = None, offices: frozenset[int] | None = None
) -> LostCaseFigures:
    """Passports lost or damaged in transit: the open cases with their age in days, and what the
    period saw reported and decided."""
    cases = LostPassportCase.objects.all()
    if area is not None:
        cases = cases.filter(order__area=area)
    if offices is not None:
        cases = cases.filter(order__imigrasi_office_id__in=offices)
    now = timezone.now()
    open_cases = [
        OpenLostCase(
            number=case.number,
            order_code=case.order.code,
            kind=case.get_kind_display(),
            status=case.get_status_display(),
            reported_at=case.reported_at,
            age_days=(now - case.reported_at).days,
            last_holder=", ".join(
                str(part)
                for part in (
                    case.get_last_holder_role_display(),
                    case.last_holder_office.name if case.last_holder_office else "",
                )
                if part
            ),
        )
        for case in cases.filter(status__in=OPEN_LOST_STATUSES)
        .select_related("order", "last_holder_office")
        .order_by("reported_at", "pk")
    ]
    start, end = period.bounds()
    totals = cases.aggregate(
        reported=Count("pk", filter=Q(reported_at__gte=start, reported_at__lt=end)),
        found=Count(
            "pk",
            filter=Q(status=LostPassportStatus.FOUND, decided_at__gte=start, decided_at__lt=end),
        ),
        reissued=Count(
            "pk",
            filter=Q(status=LostPassportStatus.REISSUED, decided_at__gte=start, decided_at__lt=end),
        ),
    )
    return LostCaseFigures(open=open_cases, **totals)


@dataclass(frozen=True)
class VanFigures:
    days: int  # working days with an arrival recorded
    late_days: int  # of which the van arrived after 07:30
    average_minutes_late: float  # over the late days
    worst_minutes_late: int


def van_lateness(*, period: Period, offices: frozenset[int] | None = None) -> VanFigures:
    """The Pos van's standby at the office in the period (the study saw it often late)."""
    start, end = period.bounds()
    standby = VanStandby.objects.filter(day__gte=start.date(), day__lt=end.date())
    if offices is not None:
        standby = standby.filter(office_id__in=offices)
    totals = standby.aggregate(
        days=Count("pk"),
        late_days=Count("pk", filter=Q(minutes_late__gt=0)),
        late_minutes=Sum("minutes_late"),
        worst=Max("minutes_late"),
    )
    late_days = totals["late_days"] or 0
    return VanFigures(
        days=totals["days"] or 0,
        late_days=late_days,
        average_minutes_late=round((totals["late_minutes"] or 0) / late_days, 1) if late_days else 0.0,
        worst_minutes_late=totals["worst"] or 0,
    )


@reads_from_replica()  # the page, its exports and the API: figures a moment old are fine
def dashboard(*, period: Period, area: Area | None = None, scope: Scope | None = None) -> Dashboard:
    """Every figure of the period, for ``scope`` (one office, a region, the nation; None: every
    office, as the nation)."""
    offices = scope.offices if scope is not None else None
    rows = _rows(period, area, None, offices)  # the period's events, counted once for every figure
    return Dashboard(
        period=period,
        area=area,
        scope=scope,
        uptake=uptake(period=period, area=area, rows=rows, offices=offices),
        compliance=deadline_compliance(period=period, area=area, rows=rows),
        failed=failed_attempts_by_reason(period=period, area=area, rows=rows),
        couriers=courier_performance(period=period, area=area, rows=rows),
        van=van_lateness(period=period, offices=offices),
        complaints=complaints_by_category(period=period, area=area, offices=offices),
        lost=lost_case_figures(period=period, area=area, offices=offices),
        conversion=booking_conversion(period=period, area=area, offices=offices),
        satisfaction=satisfaction(period=period, area=area, offices=offices),
        money=money_by_month(period=period, offices=offices),
    )


# Evaluations -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingPace:
    year: int
    held: int
    planned: int
    warning: bool


def meeting_pace(*, today: dt.date | None = None) -> MeetingPace:
    """Article 12 wants two meetings a calendar year: warn when the year is heading to fewer.

    Held plus planned meetings of the year count; from July on, a year with no meeting held in its
    first half and fewer than two in all is also flagged.
    """
    today = today or timezone.localdate()
    meetings = EvaluationMeeting.objects.filter(held_on__year=today.year).aggregate(
        held=Count("pk", filter=Q(status=MeetingStatus.HELD)),
        planned=Count("pk", filter=Q(status=MeetingStatus.PLANNED, held_on__gte=today)),
    )
    held, planned = meetings["held"], meetings["planned"]
    return MeetingPace(year=today.year, held=held, planned=planned, warning=held + planned < 2)


def overdue_action_items(*, today: dt.date | None = None) -> list[ActionItem]:
    today = today or timezone.localdate()
    return list(
        ActionItem.objects.filter(status=ActionItemStatus.OPEN, due_on__lt=today)
        .select_related("meeting")
        .order_by("due_on", "pk")
    )


@dataclass(frozen=True)
class MeetingSatisfaction:
    """The scorecard's measured line: the applicants' satisfaction over the days the meeting looks
    back on, from the day after the previous meeting held (or ``LOOK_BACK_DAYS`` before it, for a
    first meeting) to the meeting's day, both included."""

    start: dt.date
    end: dt.date
    ratings: int
    average: Decimal | None
    good_percent: Decimal | None


LOOK_BACK_DAYS = 183  # half a year: article 12 wants a meeting twice a year


def meeting_satisfaction(*, meeting: EvaluationMeeting) -> MeetingSatisfaction:
    previous = (
        EvaluationMeeting.objects.filter(status=MeetingStatus.HELD, held_on__lt=meeting.held_on)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    first_day = (
        previous + dt.timedelta(days=1) if previous else meeting.held_on - dt.timedelta(days=LOOK_BACK_DAYS)
    )
    tz = timezone.get_current_timezone()
    totals = _ratings_in(
        dt.datetime.combine(first_day, dt.time.min, tzinfo=tz),
        dt.datetime.combine(meeting.held_on + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        None,
    ).aggregate(n=Count("pk"), score_sum=Sum("score"), good=Count("pk", filter=Q(score__gte=4)))
    row = SatisfactionRow(
        key="", label="", ratings=totals["n"], score_sum=totals["score_sum"] or 0, good=totals["good"]
    )
    return MeetingSatisfaction(
        start=first_day,
        end=meeting.held_on,
        ratings=row.ratings,
        average=row.average,
        good_percent=row.good_percent,
    )
