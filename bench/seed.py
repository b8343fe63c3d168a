"""Seeds a benchmark database at scale with PostgreSQL COPY: applicants, applications, billing codes,
payments, delivery orders and their events, as the real services would have written them.

Order ``i`` has tracking code ``BN%08d`` and its applicant was born on ``birth_date_of(i)``, so load
generators can build valid tracking lookups without asking the database.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from types import SimpleNamespace

from django.db import connection, models
from django.utils import timezone

from core.crypto import personal_encrypt, personal_hash
from delivery.choices import DeliveryStatus as S
from delivery.handoff.history import event_digest
from delivery.handoff.transitions import COURIER_MOVES, MOVES
from delivery.models import Courier, DeliveryEvent, DeliveryOrder
from demo.seed import PATH, reference_data_load
from organisations.choices import OrganisationKind
from organisations.models import Office
from organisations.offices import offices_load
from partners.models import UptakeMonth
from passports.models import Applicant, BillingCode, PassportApplication, PassportType, Payment

BASE_BIRTH = dt.date(1950, 1, 1)
LEG_ENDS = {S.RECEIVED_BY_POS, S.WITH_DELIVERY_SECTION, S.DELIVERED}
ON_A_RUN = {S.OUT_FOR_DELIVERY, S.WITH_DELIVERY_SECTION}
CHUNK = 50_000


def code_of(i: int) -> str:
    return f"BN{i:08d}"


def birth_date_of(i: int) -> dt.date:
    return BASE_BIRTH + dt.timedelta(days=i % 20_000)


def _text(value) -> str:
    kind = type(value)
    if kind is str:
        return (
            value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")
            if "\\" in value or "\t" in value or "\n" in value
            else value
        )
    if kind is int:
        return str(value)
    if value is None:
        return r"\N"
    if kind is bool:
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value) if value else ("{}" if kind is dict else "[]")
    return str(value)


def copy_rows(model: type[models.Model], rows: Iterable[dict], *, with_id: bool = True) -> int:
    """COPY dicts keyed by field attname into the model's table; missing keys take the default."""
    fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
    pairs = [(f.attname, f.get_default()) for f in fields]  # "" for a text column without a default
    total = 0
    lines: list[str] = []
    with connection.cursor() as cursor:
        for row in rows:
            get = row.get
            lines.append("\t".join([_text(get(name, default)) for name, default in pairs]))
            total += 1
            if len(lines) == CHUNK:
                cursor.cursor.copy_expert(sql, io.StringIO("\n".join(lines) + "\n"))
                lines = []
        if lines:
            cursor.cursor.copy_expert(sql, io.StringIO("\n".join(lines) + "\n"))
    return total


def _reset_sequence(model: type[models.Model]) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1)) FROM {table}"
        )


def _monthly_figures(now: dt.datetime, office_id: int) -> None:
    """Ten years of passports issued per month by the busy office, as its Imigrasi enters them."""

    for year in range(now.year - 9, now.year + 1):
        for month in range(1, 13):
            UptakeMonth.objects.update_or_create(
                office_id=office_id,
                year=year,
                month=month,
                defaults={"issued": 5_000 + (year * 12 + month) % 3_000},
            )


# How the load falls on the offices: Zipf's law over their rank (the busiest office, Makassar here as
# the one whose pages are measured, carries the most; a few big offices most of the rest).
ZIPF_S = 1.1


def office_spread(ref: dict) -> list[tuple[int, int, float]]:
    """Every Imigrasi office with the Pos office serving it and its share of the orders, busiest
    first: the offices of ``organisations/data/offices.csv`` after the demo's office."""

    offices_load()
    pairs = [(ref["offices"]["imigrasi"].pk, ref["offices"]["pos"].pk)]
    for branch in (
        Office.objects.filter(organisation__kind=OrganisationKind.POS, serves__isnull=False)
        .exclude(serves_id=pairs[0][0])
        .order_by("pk")
    ):
        assert branch.serves_id is not None  # filtered above
        pairs.append((branch.serves_id, branch.pk))
    weights = [1 / (rank**ZIPF_S) for rank in range(1, len(pairs) + 1)]
    total = sum(weights)
    return [(imigrasi, pos, weight / total) for (imigrasi, pos), weight in zip(pairs, weights, strict=True)]


def _office_picker(spread: list[tuple[int, int, float]]):
    """Order ``i``'s offices: the same for the same ``i``, spread by the shares."""
    import bisect

    bounds, running = [], 0.0
    for _imigrasi, _pos, share in spread:
        running += share
        bounds.append(running)

    def pick(i: int) -> tuple[int, int]:
        u = (i * 0.6180339887498949) % 1.0  # evenly spread, deterministic
        k = min(bisect.bisect_right(bounds, u), len(spread) - 1)
        return spread[k][0], spread[k][1]

    return pick


def state_of(i: int, n: int, *, active_out_for_delivery: int) -> str:
    """Most orders are history (delivered); a working set is out with the bench courier."""
    if i < active_out_for_delivery:
        return S.OUT_FOR_DELIVERY
    cycle = [S.DELIVERED] * 90 + [
        S.BOOKED,
        S.DOSSIER_HANDED,
        S.PASSPORT_READY,
        S.RECEIVED_BY_POS,
        S.WITH_DELIVERY_SECTION,
        S.FAILED_ATTEMPT,
        S.RETURNED_TO_OFFICE,
        S.CANCELLED,
        S.DELIVERED,
        S.DELIVERED,
    ]
    return cycle[i % len(cycle)]


def bulk_seed(
    *,
    orders: int,
    out_for_delivery: int,
    all_state: str | None = None,
    now: dt.datetime | None = None,
    every_office: bool = True,
) -> dict:
    """``orders`` orders with their events, spread over every office by ``office_spread`` (or, with
    ``every_office`` False, all of the busy office's: the pipeline's counters and couriers work
    there)."""
    now = now or timezone.now()
    ref = reference_data_load()
    offices, users = ref["offices"], ref["users"]
    courier: Courier = ref["couriers"]["kurir"]
    areas = list(ref["areas"].values())
    ptype = PassportType.objects.get(code="biasa-48")
    start = (
        max(
            [
                m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                for m in (Applicant, PassportApplication, BillingCode, Payment, DeliveryOrder)
            ]
        )
        + 1
    )
    ids = range(start, start + orders)
    span = dt.timedelta(days=3650)
    spread = (
        office_spread(ref)
        if every_office
        else [(ref["offices"]["imigrasi"].pk, ref["offices"]["pos"].pk, 1.0)]
    )
    office_of = _office_picker(spread)
    busy = (ref["offices"]["imigrasi"].pk, ref["offices"]["pos"].pk)

    def offices_for(i: int) -> tuple[int, int]:
        # The passports on a run today are the busy office's, whose couriers the benchmark drives;
        # the other offices' orders have no courier of theirs here.
        state = all_state or state_of(i - start, orders, active_out_for_delivery=out_for_delivery)
        return busy if state in ON_A_RUN else office_of(i)

    def when(i: int) -> dt.datetime:
        return now - span + span * ((i - start) / max(orders, 1))

    common = {"created_at": now, "updated_at": now}
    with connection.cursor() as cursor:
        # The rows are consistent by construction; skip the per-row foreign-key triggers while loading.
        cursor.execute("SET session_replication_role = replica")
    copy_rows(
        Applicant,
        (
            {
                **common,
                "id": i,
                "full_name": f"Pemohon Bench {i}",
                "birth_place": "Makassar",
                "birth_date": birth_date_of(i - start),
                "address": f"Jl. Bench No. {i}",
                "nik": personal_encrypt(f"{7371 * 10**12 + i}"),
                "nik_hash": personal_hash(f"{7371 * 10**12 + i}"),
                "sim_number": "",
                "phone": "081234567890",
                "email": "",
                "language": "id",
            }
            for i in ids
        ),
    )
    copy_rows(
        PassportApplication,
        (
            {
                **common,
                "id": i,
                "applicant_id": i,
                "office_id": offices_for(i)[0],
                "passport_type_id": ptype.pk,
                "fee_amount": ptype.fee,
                "is_minor": False,
                "requirements": {},
            }
            for i in ids
        ),
    )
    copy_rows(
        BillingCode,
        (
            {
                **common,
                "id": i,
                "application_id": i,
                "code": f"{9 * 10**14 + i}",
                "amount": ptype.fee,
                "status": "paid",
                "expires_at": when(i) + dt.timedelta(days=7),
            }
            for i in ids
        ),
    )
    copy_rows(
        Payment,
        (
            {
                **common,
                "id": i,
                "billing_code_id": i,
                "payment_point": "pos",
                "ntpn": f"BENCH{i:011d}",
                "amount": ptype.fee,
                "paid_at": when(i),
            }
            for i in ids
        ),
    )

    def order_rows() -> Iterator[dict]:
        for i in ids:
            state = all_state or state_of(i - start, orders, active_out_for_delivery=out_for_delivery)
            area = areas[i % len(areas)]
            imigrasi_id, pos_id = offices_for(i)
            yield {
                **common,
                "id": i,
                "code": code_of(i - start) if all_state is None else f"BP{i:08d}",
                "application_id": i,
                "imigrasi_office_id": imigrasi_id,
                "pos_office_id": pos_id,
                "destination_kind": "home",
                "address": f"Jl. Bench No. {i}",
                "area_id": area.pk,
                "delivery_fee": area.delivery_fee,
                "recipient_phone": "081234567890",
                "recipient_email": "",
                "poa_grantee_name": "Sri Wahyuni",
                "poa_grantee_nippos": "995100100",
                "poa_grantee_place": offices["pos"].name,
                "poa_signed_at": when(i),
                "status": state,
                "status_changed_at": when(i) + dt.timedelta(hours=len(PATH[state])),
                "courier_id": courier.pk
                if imigrasi_id == busy[0]
                and state
                in (
                    S.OUT_FOR_DELIVERY,
                    S.DELIVERED,
                    S.FAILED_ATTEMPT,
                    S.RETURNED_TO_OFFICE,
                    S.WITH_DELIVERY_SECTION,
                )
                else None,
                "booked_by_id": users["pos.layanan"].pk,
            }

    copy_rows(DeliveryOrder, order_rows())

    by_role = {}
    for user in users.values():
        by_role.setdefault(user.role, user)

    def actor_for(action: str):
        if action in COURIER_MOVES:
            return courier.user
        if MOVES[action].office_field is None:
            return None  # the applicant's own move
        return next(by_role[role] for role in sorted(MOVES[action].roles) if role in by_role)

    actor_of = {action: actor_for(action) for action in MOVES}

    def chained(row: dict, previous: str) -> dict:
        """The row with its chain hash, as a move writing it would have computed it."""
        fields = {"device_time": None, "deadline_at": None, "leg_on_time": None, **row}
        row["chain_hash"] = event_digest(SimpleNamespace(**fields), previous)
        return row

    def event_rows() -> Iterator[dict]:
        for i in ids:
            state = all_state or state_of(i - start, orders, active_out_for_delivery=out_for_delivery)
            at = when(i)
            head = chained(
                {
                    "order_id": i,
                    "from_status": "",
                    "to_status": S.BOOKED,
                    "actor_id": users["pos.layanan"].pk,
                    "actor_role": "pos_service_officer",
                    "office_id": offices["pos"].pk,
                    "occurred_at": at,
                    "location": "",
                    "payload": {},
                },
                "",
            )
            yield head
            previous, chain = S.BOOKED, head["chain_hash"]
            for action in PATH[state]:
                at = at + dt.timedelta(hours=1)
                actor = actor_of[action]
                target = MOVES[action].target
                row = chained(
                    {
                        "order_id": i,
                        "from_status": previous,
                        "to_status": target,
                        "actor_id": actor.pk if actor else None,
                        "actor_role": actor.role if actor else "applicant",
                        "office_id": actor.office_id if actor else None,
                        "occurred_at": at,
                        "leg_on_time": True if target in LEG_ENDS else None,
                        "location": "",
                        "payload": {"reason": "not_at_home"} if action == "fail_attempt" else {},
                    },
                    chain,
                )
                yield row
                previous, chain = target, row["chain_hash"]

    events = copy_rows(DeliveryEvent, event_rows(), with_id=False)
    _monthly_figures(now, busy[0])
    for model in (Applicant, PassportApplication, BillingCode, Payment, DeliveryOrder, DeliveryEvent):
        _reset_sequence(model)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")
        # What autovacuum does to a database that has been running: statistics, and the visibility
        # map that lets counts be answered from an index alone.
        cursor.execute("VACUUM (ANALYZE)")
    return {
        "orders": orders,
        "events": events,
        "first_id": start,
        "offices": len(spread),
        "busiest_office_share": round(spread[0][2], 3),
        "top_10_offices_share": round(sum(share for _i, _p, share in spread[:10]), 3),
    }
