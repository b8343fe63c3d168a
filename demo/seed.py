"""The Makassar demo: reference data from the field study plus about 30 orders in every state.

Idempotent: reference rows are updated in place and an order whose code exists is left alone.
Delivery tariffs here are illustrative; the study gives no amounts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypedDict, cast

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.choices import Role
from accounts.models import User
from complaints.models import Complaint
from complaints.services import complaint_close, complaint_open, complaint_reply_by_staff
from delivery.booking import services as delivery_services
from delivery.booking.group_members import member_poa_sign, member_poa_sign_at_counter
from delivery.booking.groups import group_booking_create
from delivery.booking.online import delivery_order_change_address
from delivery.choices import DeliveryStatus as S
from delivery.choices import DestinationKind
from delivery.counter.batches import batch_release
from delivery.counter.booking import counter_delivery_book
from delivery.counter.van import van_standby_record
from delivery.courier import dispatch
from delivery.handoff import events
from delivery.handoff import transitions as t
from delivery.handoff.deadlines import WITA, is_working_day
from delivery.handoff.transitions import MoveResult
from delivery.manage.access import applicant_user_ensure
from delivery.manage.links import link_url
from delivery.manage.rating import rating_record
from delivery.models import (
    Area,
    BatchItem,
    Courier,
    DeliveryOrder,
    DeliveryWindow,
    GroupBookingItem,
    PickupBranch,
    SatisfactionRating,
    VanStandby,
)
from delivery.money.door import door_amount_due, door_settle
from delivery.money.fees import delivery_fee_take
from delivery.money.statements import statement_approve, statement_build
from delivery.notifications.services import delivery_event_notify
from delivery.pickup.services import delivery_order_choose_pickup
from delivery.problems import services as problems
from demo.names import AGENCY_OFFICE, IMIGRASI_OFFICE, POS_OFFICE
from demo.partnership import partnership_demo_load
from ledger.choices import Agency, Channel, MovementKind, StatementStatus
from ledger.models import Movement, Statement
from organisations.choices import OrganisationKind
from organisations.models import Office, Organisation
from passports import services as passport_services
from passports.choices import BillingCodeStatus
from passports.gateways import get_gateway
from passports.models import Applicant, BillingCode, PassportApplication, PassportType

DEMO_PASSWORD = "antar-demo-2026"
# The second factor of every demo staff account: one fixed TOTP secret, in the demo data only, so the
# demo can be tried with any authenticator app (``make run`` prints it as base32). Real accounts get a
# random secret when they set up two-step login.
DEMO_TOTP_KEY = "616e7461722d706173706f722d64656d6f2d327376"  # hex of b"antar-paspor-demo-2sv"
DEMO_TOTP_SECRET = "MFXHIYLSFVYGC43QN5ZC2ZDFNVXS2MTTOY"  # the same key in base32


def demo_totp_code() -> str:
    """The code an authenticator app holding the demo secret shows now."""
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}"


# Table 4.4 of the study (PNBP, rupiah).
PASSPORT_TYPES = [
    ("biasa-48", "Paspor biasa 48 halaman", "Ordinary passport, 48 pages", 48, 300_000),
    ("elektronik-48", "Paspor elektronik 48 halaman", "Electronic passport, 48 pages", 48, 600_000),
    ("biasa-24", "Paspor biasa 24 halaman", "Ordinary passport, 24 pages", 24, 100_000),
    ("elektronik-24", "Paspor elektronik 24 halaman", "Electronic passport, 24 pages", 24, 350_000),
    (
        "hilang-24",
        "Pengganti 24 halaman, hilang masih berlaku",
        "24 pages, replacing a lost one still valid",
        24,
        200_000,
    ),
    (
        "rusak-24",
        "Pengganti 24 halaman, rusak masih berlaku",
        "24 pages, replacing a damaged one still valid",
        24,
        100_000,
    ),
    (
        "hilang-48",
        "Pengganti 48 halaman, hilang masih berlaku",
        "48 pages, replacing a lost one still valid",
        48,
        600_000,
    ),
    (
        "rusak-48",
        "Pengganti 48 halaman, rusak masih berlaku",
        "48 pages, replacing a damaged one still valid",
        48,
        300_000,
    ),
    (
        "bencana-24",
        "24 halaman, hilang/rusak karena bencana alam atau kapal tenggelam",
        "24 pages, lost/damaged by natural disaster or a sunk ship's crew",
        24,
        100_000,
    ),
    (
        "bencana-48",
        "48 halaman, hilang/rusak karena bencana alam atau kapal tenggelam",
        "48 pages, lost/damaged by natural disaster or a sunk ship's crew",
        48,
        300_000,
    ),
]

# The 11 areas the office serves, with an illustrative (demo) tariff in rupiah.
# code, name, demo fee, lead time in working days (the first delivery day offered), delivery
# windows (from, until, places per day). Makassar is delivered the next day; Maros and Gowa take 1-2
# days, so the second day is the first offered; Watampone 2-3 and Selayar (by ferry from Bira) 3-4.
AREAS = [
    ("makassar", "Makassar", 20_000, 1, [("08:00", "12:00", 40), ("13:00", "17:00", 40)]),
    ("maros", "Maros", 30_000, 2, [("08:00", "12:00", 15), ("13:00", "17:00", 15)]),
    ("gowa", "Gowa", 30_000, 2, [("08:00", "12:00", 15), ("13:00", "17:00", 15)]),
    ("pangkep", "Pangkep", 40_000, 2, [("09:00", "15:00", 10)]),
    ("takalar", "Takalar", 40_000, 2, [("09:00", "15:00", 10)]),
    ("jeneponto", "Jeneponto", 50_000, 3, [("09:00", "15:00", 8)]),
    ("bantaeng", "Bantaeng", 55_000, 3, [("09:00", "15:00", 8)]),
    ("bulukumba", "Bulukumba", 60_000, 3, [("09:00", "15:00", 8)]),
    ("sinjai", "Sinjai", 60_000, 3, [("09:00", "15:00", 8)]),
    ("watampone", "Watampone", 65_000, 3, [("09:00", "12:00", 6), ("13:00", "16:00", 6)]),
    ("selayar", "Selayar", 90_000, 4, [("10:00", "15:00", 4)]),
]

# username, first name, last name, role, office key
USERS = [
    ("pemohon", "Andi", "Nurhayati", Role.APPLICANT, None),
    ("imigrasi", "Rahmat", "Hidayat", Role.IMIGRASI_OFFICER, "imigrasi"),
    ("pos.layanan", "Sri", "Wahyuni", Role.POS_SERVICE_OFFICER, "pos"),
    ("pos.antaran", "Budi", "Santoso", Role.POS_DISPATCHER, "pos"),
    ("kurir", "Irfan", "Syam", Role.COURIER, "pos"),
    ("kurir2", "Dewi", "Lestari", Role.COURIER, "pos"),
    ("manajer.imigrasi", "Hasanuddin", "Rauf", Role.AGENCY_MANAGER, "imigrasi"),
    ("manajer.pos", "Nur", "Aisyah", Role.AGENCY_MANAGER, "pos"),
    ("travel", "Umrah", "Contoh", Role.TRAVEL_AGENCY, "agency"),
    ("admin", "Admin", "Portal", Role.ADMINISTRATOR, None),
]

# The Pos staff's Nippos (staff numbers); the couriers' are the same as in COURIERS.
STAFF_NIPPOS = {
    "pos.layanan": "995100100",
    "pos.antaran": "995100200",
    "kurir": "995100001",
    "kurir2": "995100002",
    "manajer.pos": "995100300",
}

# The Pos branches of the Makassar office where applicants may collect their passport instead of
# home delivery (key, name, address, opening hours). Addresses and hours are illustrative.
PICKUP_BRANCHES = [
    (
        "panakkukang",
        "Kantor Pos Makassar Panakkukang",
        "Jl. Boulevard, Panakkukang, Makassar (demo address)",
        "Sen-Jum 08.00-15.00, Sab 08.00-12.00 WITA",
    ),
    (
        "daya",
        "Kantor Pos Daya",
        "Jl. Perintis Kemerdekaan, Daya, Biringkanaya, Makassar (demo address)",
        "Sen-Jum 08.00-15.00 WITA",
    ),
    (
        "sungguminasa",
        "Kantor Pos Sungguminasa",
        "Jl. Sultan Hasanuddin, Sungguminasa, Gowa (demo address)",
        "Sen-Jum 08.00-14.30 WITA",
    ),
    (
        "maros",
        "Kantor Pos Maros",
        "Jl. Jenderal Sudirman, Maros (demo address)",
        "Sen-Jum 08.00-14.30 WITA",
    ),
]

COURIERS = [
    ("kurir", "995100001", ["makassar", "maros", "gowa", "takalar", "pangkep"]),
    ("kurir2", "995100002", ["jeneponto", "bantaeng", "bulukumba", "sinjai", "watampone", "selayar"]),
]

APPLICANT_NAMES = [
    "Andi Nurhayati",
    "Muhammad Rizal",
    "Siti Rahmawati",
    "Ahmad Fauzi",
    "Nurul Hikmah",
    "Syamsul Bahri",
    "Fitriani Said",
    "Arif Rahman",
    "Hasnah Daeng Tene",
    "Ilham Saputra",
    "Rosmini Latif",
    "Zainal Abidin",
    "Sitti Aminah",
    "Faisal Amir",
    "Wahyuni Lestari",
    "Ridwan Kamil Daeng",
    "Aswar Anas",
    "Nurjannah Ismail",
    "Yusran Yusuf",
    "Herlina Tahir",
    "Kamaruddin Ali",
    "Rosdiana Hamid",
    "Taufik Hidayat",
    "Marlina Baso",
    "Jumardi Sulaiman",
    "Irma Suryani",
    "Baharuddin Lopa",
    "St. Hajar",
    "Ardiansyah Patta",
    "Nurhaedah Rasyid",
    "Muhammad Akbar",
    "Fitriani Daeng Caya",
]

# The delivered demo order whose applicant moved it to Gowa (a dearer area) after paying at the
# counter: the courier collected the difference at the door (its ledger row comes with the delivery).
DOOR_DEMO = ("APDEMO23", "gowa", "Jl. Poros Malino No. 12, Sungguminasa, Gowa")

# (target state, how many); the first DOSSIER_HANDED order is the breached one.
PLAN = [
    (S.BOOKED, 4),
    (S.DOSSIER_HANDED, 4),
    (S.PASSPORT_READY, 3),
    (S.RECEIVED_BY_POS, 3),
    (S.WITH_DELIVERY_SECTION, 3),
    (S.OUT_FOR_DELIVERY, 3),
    (S.DELIVERED, 5),
    (S.FAILED_ATTEMPT, 2),
    (S.RETURNED_TO_OFFICE, 1),
    (S.CANCELLED, 2),
    # Added after the first 30 so their codes stay: one passport on its way back after failed attempts.
    (S.RETURNED_TO_POS, 1),
    # One whose applicant chose to collect it at a Pos branch, where it waits.
    (S.AT_PICKUP_BRANCH, 1),
]

PATH: dict[str, list[str]] = {
    S.BOOKED: [],
    S.DOSSIER_HANDED: ["hand_dossier"],
    S.PASSPORT_READY: ["hand_dossier", "mark_ready"],
    S.RECEIVED_BY_POS: ["hand_dossier", "mark_ready", "receive_at_pos"],
    S.WITH_DELIVERY_SECTION: ["hand_dossier", "mark_ready", "receive_at_pos", "hand_to_delivery"],
    S.OUT_FOR_DELIVERY: ["hand_dossier", "mark_ready", "receive_at_pos", "hand_to_delivery", "dispatch"],
    S.DELIVERED: ["hand_dossier", "mark_ready", "receive_at_pos", "hand_to_delivery", "dispatch", "deliver"],
    S.FAILED_ATTEMPT: [
        "hand_dossier",
        "mark_ready",
        "receive_at_pos",
        "hand_to_delivery",
        "dispatch",
        "fail_attempt",
    ],
    S.RETURNED_TO_POS: [
        "hand_dossier",
        "mark_ready",
        "receive_at_pos",
        "hand_to_delivery",
        "dispatch",
        "fail_attempt",
        "return_to_pos",
    ],
    S.RETURNED_TO_OFFICE: [
        "hand_dossier",
        "mark_ready",
        "receive_at_pos",
        "hand_to_delivery",
        "dispatch",
        "fail_attempt",
        "return_to_pos",
        "return_to_office",
    ],
    S.CANCELLED: ["cancel"],
    # The applicant chose a pickup branch (``delivery.pickup``) before "send_to_branch".
    S.AT_PICKUP_BRANCH: [
        "hand_dossier",
        "mark_ready",
        "receive_at_pos",
        "hand_to_delivery",
        "send_to_branch",
    ],
}


class ReferenceData(TypedDict):
    """The demo's offices, areas, users and couriers, each by its key (office key, area code, username)."""

    offices: dict[str, Office]
    areas: dict[str, Area]
    users: dict[str, User]
    couriers: dict[str, Courier]
    branches: dict[str, PickupBranch]


def reference_data_load() -> ReferenceData:
    imigrasi_org, _ = Organisation.objects.update_or_create(
        name="Direktorat Jenderal Imigrasi", defaults={"kind": OrganisationKind.IMIGRASI}
    )
    pos_org, _ = Organisation.objects.update_or_create(
        name="PT Pos Indonesia (Persero)", defaults={"kind": OrganisationKind.POS}
    )
    agency_org, _ = Organisation.objects.update_or_create(
        name="Biro Perjalanan Umrah Contoh", defaults={"kind": OrganisationKind.TRAVEL_AGENCY}
    )
    imigrasi_office = Office.objects.update_or_create(
        name=IMIGRASI_OFFICE,
        defaults={
            "organisation": imigrasi_org,
            "address": "Jl. Perintis Kemerdekaan KM. 13, Makassar",
            "region": "Sulawesi Selatan",
            "phone": "0411-584559",
            "email": "kanim_makassar@imigrasi.go.id",
        },
    )[0]
    offices = {
        "imigrasi": imigrasi_office,
        "pos": Office.objects.update_or_create(
            name=POS_OFFICE,
            defaults={
                "organisation": pos_org,
                "address": "Makassar (demo address)",
                "serves": imigrasi_office,
                "region": "Sulawesi Selatan",
            },
        )[0],
        "agency": Office.objects.update_or_create(
            name=AGENCY_OFFICE,
            defaults={"organisation": agency_org, "address": "Jl. Contoh No. 1, Makassar (demo)"},
        )[0],
    }
    for code, name_id, name_en, pages, fee in PASSPORT_TYPES:
        PassportType.objects.update_or_create(
            code=code, defaults={"name_id": name_id, "name_en": name_en, "pages": pages, "fee": fee}
        )
    areas: dict[str, Area] = {}
    for code, name, fee, lead_days, windows in AREAS:
        areas[code] = Area.objects.update_or_create(
            code=code,
            defaults={"name": name, "delivery_fee": fee, "tariff_is_demo": True, "lead_days": lead_days},
        )[0]
        for starts_at, ends_at, capacity in windows:
            DeliveryWindow.objects.update_or_create(
                area=areas[code],
                starts_at=dt.time.fromisoformat(starts_at),
                defaults={"ends_at": dt.time.fromisoformat(ends_at), "capacity": capacity, "active": True},
            )
    users: dict[str, User] = {}
    password_hash = make_password(DEMO_PASSWORD)  # hashing is slow on purpose: do it once
    for username, first, last, role, office_key in USERS:
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "office": offices.get(office_key) if office_key else None,
                "nippos": STAFF_NIPPOS.get(username, ""),
                "email": f"{username}@demo.antar-paspor.local",
                "is_staff": role == Role.ADMINISTRATOR,
                "is_superuser": role == Role.ADMINISTRATOR,
            },
        )
        if created or not user.has_usable_password():
            user.password = password_hash
            user.save(update_fields=["password"])
        users[username] = user
        if two_factor.second_factor_required(user):
            TOTPDevice.objects.update_or_create(
                user=user, name="demo", defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
            )
    couriers: dict[str, Courier] = {}
    for username, nippos, area_codes in COURIERS:
        user = users[username]
        courier, _ = Courier.objects.update_or_create(
            user=user,
            defaults={"name": user.get_full_name(), "nippos": nippos, "office": offices["pos"]},
        )
        courier.areas.set([areas[c] for c in area_codes])
        couriers[username] = courier
    branches = {
        key: PickupBranch.objects.update_or_create(
            pos_office=offices["pos"],
            name=name,
            defaults={"address": address, "opening_hours": hours, "active": True},
        )[0]
        for key, name, address, hours in PICKUP_BRANCHES
    }
    return {"offices": offices, "areas": areas, "users": users, "couriers": couriers, "branches": branches}


def _applicant_user(index: int, name: str, users: dict[str, User]) -> User:
    if index == 0:
        return users["pemohon"]
    user, created = User.objects.get_or_create(
        username=f"pemohon{index:02d}",
        defaults={"first_name": name, "role": Role.APPLICANT},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _demo_order(index: int, target: str, ref: ReferenceData, now: dt.datetime, *, breached: bool) -> None:
    code = f"APDEMO{index + 1:02d}"
    if DeliveryOrder.objects.filter(code=code).exists():
        return
    users, offices, areas, couriers = ref["users"], ref["offices"], ref["areas"], ref["couriers"]
    name = APPLICANT_NAMES[index]
    area_code = AREAS[index % len(AREAS)][0]
    area = areas[area_code]
    owner = _applicant_user(index, name, users)
    steps = PATH[target]
    final = target in (S.DELIVERED, S.RETURNED_TO_OFFICE, S.CANCELLED, S.RETURNED_TO_POS)
    if breached:
        start = now - dt.timedelta(days=5)
    elif final:
        start = now - dt.timedelta(days=3 + index % 20, hours=8)
    else:
        start = now - dt.timedelta(minutes=2 * (len(steps) + 2))
    spacing = dt.timedelta(hours=1) if final else dt.timedelta(minutes=2)
    booked_by = users["travel"] if index in (26, 27, 28) else users["pos.layanan"]
    with transaction.atomic():
        applicant = Applicant.objects.filter(user=owner).first() or passport_services.applicant_create(
            full_name=name,
            birth_place="Makassar",
            birth_date=dt.date(1970 + index, 1 + index % 12, 1 + index % 28),
            address=f"Jl. Demo No. {index + 1}, {area.name}",
            phone=f"08124{index:07d}",
            nik=f"7371{index:012d}",
            email=f"pemohon{index:02d}@demo.antar-paspor.local",
            user=owner,
        )
        passport_type = PassportType.objects.get(code=PASSPORT_TYPES[index % 4][0])
        application = passport_services.passport_application_record(
            applicant=applicant,
            office=offices["imigrasi"],
            passport_type=passport_type,
            actor=users["imigrasi"],
            requirements={"ktp": True, "kk": True, "birth_certificate": True},
        )
        billing = passport_services.billing_code_issue(application=application, at=start)
        confirmation = get_gateway().confirm_payment(billing_code=billing.code, amount=billing.amount)
        passport_services.payment_confirm(
            billing_code_id=billing.pk, ntpn=confirmation.ntpn, amount=confirmation.amount, at=start
        )
        order = delivery_services.delivery_order_book(
            application=application,
            pos_office=offices["pos"],
            destination_kind=DestinationKind.OFFICE if booked_by == users["travel"] else DestinationKind.HOME,
            address=applicant.address if booked_by != users["travel"] else f"{AGENCY_OFFICE}, Makassar",
            area=area,
            recipient_phone=applicant.phone,
            recipient_email=applicant.email,
            poa_grantee_name="Sri Wahyuni",
            poa_grantee_nippos="995100100",
            poa_grantee_place=POS_OFFICE,
            actor=booked_by,
            at=start,
            code=code,
        )
        # The delivery fee, taken at the Pos counter with the booking: its receipt and ledger row.
        delivery_fee_take(
            order=order,
            amount=order.delivery_fee,
            receipt_number=f"DF-{code}",
            actor=users["pos.layanan"],
            channel=Channel.POS_COUNTER,
            at=start,
        )
    if code == DOOR_DEMO[0]:
        new_area = areas[DOOR_DEMO[1]]
        delivery_order_change_address(
            order_id=order.pk,
            actor=owner,
            destination_kind=DestinationKind.HOME,
            address=DOOR_DEMO[2],
            area_id=new_area.pk,
            expected_fee=new_area.delivery_fee,
            at=start,
        )
        order.refresh_from_db()
        area_code = DOOR_DEMO[1]
    courier = couriers["kurir"] if area_code in {c for c in COURIERS[0][2]} else couriers["kurir2"]
    actors = {
        "hand_dossier": users["pos.layanan"],
        "mark_ready": users["imigrasi"],
        "receive_at_pos": users["pos.layanan"],
        "hand_to_delivery": users["pos.layanan"],
        "dispatch": courier.user,
        "deliver": courier.user,
        "fail_attempt": courier.user,
        "return_to_pos": users["pos.layanan"],
        "return_to_office": users["imigrasi"],
        "cancel": owner,
        "cancel_delivery": users["pos.antaran"],
        "send_to_branch": users["pos.antaran"],
    }
    at = start
    for action in steps:
        at = at + spacing
        if action == "send_to_branch":
            delivery_order_choose_pickup(order_id=order.pk, actor=owner, branch_id=ref["branches"]["daya"].pk)
        if action == "dispatch":
            dispatch.delivery_order_assign_courier(
                order_id=order.pk, courier=courier, actor=users["pos.antaran"]
            )
        kwargs: dict[str, object] = {"order_id": order.pk, "actor": actors[action], "at": at}
        if action == "fail_attempt":
            kwargs["reason"] = "not_at_home"
        # Every move takes the order, the actor and the time as keywords and answers a MoveResult.
        move = cast(Callable[..., MoveResult], t.ACTION_FUNCTIONS[action])
        with transaction.atomic():
            due = door_amount_due(order) if action == "deliver" else 0
            result = move(**kwargs)
            if due:  # what the courier collected at the door, with the delivery
                door_settle(
                    order=order,
                    amount=due,
                    actor=courier.user,
                    at=result.event.occurred_at,
                    event_id=result.event.pk,
                )
    if target == S.WITH_DELIVERY_SECTION:
        dispatch.delivery_order_assign_courier(order_id=order.pk, courier=courier, actor=users["pos.antaran"])


class OnlineBookingDemo(TypedDict):
    """A billing code the demo offers for online booking, as ``seed_demo`` prints it."""

    name: str
    billing_code: str
    birth_date: dt.date
    account: str
    paid: bool


class SeedResult(TypedDict):
    orders: int  # demo orders in the database
    flagged: int  # newly flagged late by this run's deadline sweep
    online: list[OnlineBookingDemo]
    manage: ManageDemo


def seed_demo(*, now: dt.datetime | None = None) -> SeedResult:
    now = now or timezone.now()
    ref = reference_data_load()
    index = 0
    with events.history_recorded():
        for target, count in PLAN:
            for nth in range(count):
                _demo_order(index, target, ref, now, breached=(target == S.DOSSIER_HANDED and nth == 0))
                index += 1
    partnership_demo_load(today=timezone.localdate(now))
    counter_demo_load(ref, now=now)
    online = online_booking_demo_load(ref, now=now)
    complaints_demo_load(ref, now=now)
    satisfaction_demo_load(now=now)
    group_booking_demo_load(ref, now=now)
    with events.history_recorded():  # the demo group's booking mails nobody either
        group_members_demo_load(ref, now=now)
    passport_numbers_demo_load()
    manage = manage_demo_load(ref, now=now)
    statements_demo_load(ref, now=now)
    flagged = problems.deadline_sweep(now=now)
    return {
        "orders": DeliveryOrder.objects.filter(code__startswith="APDEMO").count(),
        "flagged": flagged,
        "online": online,
        "manage": manage,
    }


def statements_demo_load(ref: ReferenceData, *, now: dt.datetime) -> None:
    """The daily statements of the Makassar offices for the last three working days with state fees
    before today: the oldest approved by both agencies, the next by PT Pos only (waiting for
    Imigrasi), the newest with an NTPN the sandbox's settlement report gives another amount."""
    pos, imigrasi = ref["offices"]["pos"], ref["offices"]["imigrasi"]
    users = ref["users"]
    today = timezone.localdate(now)
    days = [
        day
        for day in Movement.objects.filter(
            office=imigrasi, kind=MovementKind.STATE_FEE, business_day__lt=today
        )
        .order_by("-business_day")
        .values_list("business_day", flat=True)
        .distinct()
        if is_working_day(day)
    ][:3]
    if len(days) < 3:
        return
    newest, waiting, approved = days
    ntpn = (
        Movement.objects.filter(office=imigrasi, kind=MovementKind.STATE_FEE, business_day=newest)
        .order_by("pk")
        .values_list("reference", "amount")
        .first()
    )
    if ntpn is not None:
        get_gateway().settlement_change(
            day=newest, ntpn=ntpn[0], action="alter", amount=int(ntpn[1]) - 50_000
        )
    for day in (approved, waiting, newest):
        existing = Statement.objects.filter(pos_office=pos, day=day).first()
        if existing is not None and existing.status != StatementStatus.OPEN:
            continue  # approved (or disputed) by an earlier run
        statement = statement_build(pos_office_id=pos.pk, day=day)
        if day in (approved, waiting):
            statement_approve(actor=users["manajer.pos"], statement_id=statement.pk, agency=Agency.POS)
        if day == approved:
            statement_approve(
                actor=users["manajer.imigrasi"], statement_id=statement.pk, agency=Agency.IMIGRASI
            )


class ManageDemo(TypedDict):
    """The walk-in applicant of the demo who manages their delivery through the personal link."""

    name: str
    code: str
    link: str


MANAGE_DEMO_NAME = "Nurul Hidayah (demo)"


def manage_demo_load(ref: ReferenceData, *, now: dt.datetime) -> ManageDemo:
    """A walk-in applicant booked at the Pos counter today, without an account, in Makassar (an area
    with delivery windows): the booking's message is sent at once, so the SMS log (var/sms.log) and
    the mail folder hold the personal link a real applicant would get. Idempotent."""
    users = ref["users"]
    order = DeliveryOrder.objects.filter(application__applicant__full_name=MANAGE_DEMO_NAME).first()
    if order is None:
        applicant = passport_services.applicant_create(
            full_name=MANAGE_DEMO_NAME,
            birth_place="Maros",
            birth_date=dt.date(1988, 8, 17),
            address="Jl. Sultan Alauddin No. 45, Makassar",
            phone="081377700045",
            nik="7371015708880045",
            email="nurul.hidayah@demo.antar-paspor.local",
        )
        application = passport_services.passport_application_record(
            applicant=applicant,
            office=ref["offices"]["imigrasi"],
            passport_type=PassportType.objects.get(code="elektronik-48"),
            actor=users["imigrasi"],
            requirements={"ktp": True, "kk": True, "birth_certificate": True},
        )
        billing = passport_services.billing_code_issue(application=application, at=now)
        confirmation = get_gateway().confirm_payment(billing_code=billing.code, amount=billing.amount)
        passport_services.payment_confirm(
            billing_code_id=billing.pk, ntpn=confirmation.ntpn, amount=confirmation.amount, at=now
        )
        with events.history_recorded():  # no task: the message is sent below, once
            order = _walk_in_book(ref, application, now=now)
        booked = order.events.get(to_status=S.BOOKED)
        delivery_event_notify(event_id=booked.pk)
    return {"name": MANAGE_DEMO_NAME, "code": order.code, "link": link_url(order)}


def _walk_in_book(ref: ReferenceData, application: PassportApplication, *, now: dt.datetime) -> DeliveryOrder:
    users = ref["users"]
    applicant = application.applicant
    return counter_delivery_book(
        actor=users["pos.layanan"],
        application=application,
        pos_office=ref["offices"]["pos"],
        destination_kind=DestinationKind.HOME,
        address=applicant.address,
        area=ref["areas"]["makassar"],
        recipient_phone=applicant.phone,
        recipient_email=applicant.email,
        poa_grantee_name="Sri Wahyuni",
        poa_grantee_nippos="995100100",
        poa_grantee_place=POS_OFFICE,
        fee_received=True,
        at=now,
        news_channels=["sms", "email"],
    )


def passport_numbers_demo_load() -> None:
    """Every demo passport that was marked ready carries a number, as Imigrasi records it then: an
    electronic passport's starts with E, an ordinary one's with C."""
    printed = (
        DeliveryOrder.objects.filter(passport_number="", events__to_status=S.PASSPORT_READY)
        .select_related("application__passport_type")
        .distinct()
        .order_by("pk")
    )
    for order in printed:
        letter = "E" if "elektronik" in order.application.passport_type.code else "C"
        DeliveryOrder.objects.filter(pk=order.pk).update(passport_number=f"{letter}{3710000 + order.pk:07d}")


# A group the ``travel`` login booked: each member with their own contact; one signed the power of
# attorney through the personal link, one on paper at the Pos counter, one has not signed yet.
GROUP_DEMO = [
    ("Andi Baso Mappanyukki", dt.date(1982, 4, 9), "081355500201", "andi.baso@example.id", "link"),
    ("Hajjah Rahmawati Daeng Caya", dt.date(1975, 10, 12), "081355500202", "", "counter"),
    ("Muhammad Ilham Syahrir", dt.date(1996, 1, 30), "081355500203", "ilham.s@example.id", ""),
]


def _demo_signature() -> str:
    """A drawn signature as the pad sends it (a PNG data URL)."""
    import base64
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    ImageDraw.Draw(image).line(
        [(30, 140), (160, 50), (300, 150), (450, 60), (560, 120)], fill="black", width=4
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def group_members_demo_load(ref: ReferenceData, *, now: dt.datetime) -> None:
    """The demo group of ``GROUP_DEMO`` (once): booked by the ``travel`` login, fees not paid yet."""

    if GroupBookingItem.objects.filter(name=GROUP_DEMO[0][0]).exists():
        return
    lines = ["billing_code,birth_date,name,phone,email"]
    for n, (name, birth, phone, email, _how) in enumerate(GROUP_DEMO, start=1):
        applicant = passport_services.applicant_create(
            full_name=name,
            birth_place="Makassar",
            birth_date=birth,
            address=f"Jl. Rombongan No. {n}, Makassar",
            phone=phone,
            nik=f"7371890000000{n:03d}",
        )
        application = passport_services.passport_application_record(
            applicant=applicant,
            office=ref["offices"]["imigrasi"],
            passport_type=PassportType.objects.get(code="biasa-48"),
        )
        billing = passport_services.billing_code_issue(application=application, at=now)
        passport_services.payment_confirm(
            billing_code_id=billing.pk, ntpn=f"DEMOGRUP{n:08d}", amount=billing.amount, at=now
        )
        lines.append(f"{billing.code},{birth.isoformat()},{name},{phone},{email}")
    result = group_booking_create(
        actor=ref["users"]["travel"],
        content=("\n".join(lines) + "\n").encode(),
        area=ref["areas"]["makassar"],
        contact_phone="081355500200",
        client="demo",
        now=now,
    )
    assert result.group is not None, [row.error for row in result.failed]
    for item, (*_member, how) in zip(
        result.group.items.select_related("order__application__applicant"), GROUP_DEMO, strict=True
    ):
        if how == "link":
            member_poa_sign(
                order_id=item.order_id,
                signature=_demo_signature(),
                actor=applicant_user_ensure(order=item.order),
            )
        elif how == "counter":
            member_poa_sign_at_counter(order_id=item.order_id, actor=ref["users"]["pos.layanan"])


# Billing codes ready for online booking: one for anyone (billing code + date of birth, fee not paid
# yet) and one in the account of the demo applicant ``pemohon`` (fee already paid at the bank).
ONLINE_DEMO = [
    ("Rina Amalia (demo daring)", dt.date(1994, 8, 17), "7371015708940002", "elektronik-48", False, None),
    (APPLICANT_NAMES[0], None, None, "biasa-24", True, "pemohon"),
]


def online_booking_demo_load(ref: ReferenceData, *, now: dt.datetime) -> list[OnlineBookingDemo]:
    """Applications with a billing code and no delivery yet, made once; an unpaid code that expired
    since the last run is given another week so the demo keeps working."""
    shown: list[OnlineBookingDemo] = []
    for name, born, nik, type_code, paid, username in ONLINE_DEMO:
        passport_type = PassportType.objects.get(code=type_code)
        if username:
            applicant = Applicant.objects.filter(user=ref["users"][username]).first()
            if applicant is None:
                continue
        else:
            assert born is not None and nik is not None  # a row without an account gives both
            applicant = Applicant.objects.filter(
                full_name=name
            ).first() or passport_services.applicant_create(
                full_name=name,
                birth_place="Makassar",
                birth_date=born,
                address="Jl. Penghibur No. 21, Makassar",
                phone="081311122233",
                nik=nik,
                email="rina.demo@demo.antar-paspor.local",
            )
        application = PassportApplication.objects.filter(
            applicant=applicant, passport_type=passport_type, delivery_order__isnull=True
        ).first()
        if application is None:
            if PassportApplication.objects.filter(applicant=applicant, passport_type=passport_type).exists():
                continue  # booked already in this demo database: nothing more to offer
            application = passport_services.passport_application_record(
                applicant=applicant,
                office=ref["offices"]["imigrasi"],
                passport_type=passport_type,
                actor=ref["users"]["imigrasi"],
                requirements={"ktp": True, "kk": True, "civil_document": True},
            )
            billing = passport_services.billing_code_issue(application=application, at=now)
            if paid:
                confirmation = get_gateway().confirm_payment(billing_code=billing.code, amount=billing.amount)
                passport_services.payment_confirm(
                    billing_code_id=billing.pk, ntpn=confirmation.ntpn, amount=confirmation.amount, at=now
                )
        billing = BillingCode.objects.get(application=application)
        if billing.status == BillingCodeStatus.ISSUED and billing.expires_at < now:
            BillingCode.objects.filter(pk=billing.pk).update(
                expires_at=now + passport_services.BILLING_CODE_VALID_FOR
            )
        shown.append(
            {
                "name": applicant.full_name,
                "billing_code": billing.code,
                "birth_date": applicant.birth_date,
                "account": username or "",
                "paid": paid,
            }
        )
    return shown


def counter_demo_load(ref: ReferenceData, *, now: dt.datetime) -> None:
    """What the counter pages need to be tried: an unpaid billing code, a batch in handover and a
    week of the van standby log. Idempotent like the rest."""
    users = ref["users"]
    if not PassportApplication.objects.filter(applicant__full_name="Muhammad Akbar (demo)").exists():
        passport_services.counter_application_register(
            actor=users["imigrasi"],
            full_name="Muhammad Akbar (demo)",
            birth_place="Makassar",
            birth_date=dt.date(1992, 4, 9),
            address="Jl. Urip Sumoharjo No. 12, Makassar",
            phone="081298765432",
            nik="7371090904920001",
            passport_type=PassportType.objects.get(code="elektronik-48"),
            is_minor=False,
            requirements=["ktp", "kk", "civil_document"],
            at=now,
        )
    released = DeliveryOrder.objects.filter(code="APDEMO09", status=S.PASSPORT_READY).first()
    if released is not None and not BatchItem.objects.filter(order=released).exists():
        batch_release(actor=users["imigrasi"], codes=[released.code], at=now)
    day = now.astimezone(WITA).date()
    arrivals = [(7, 20), (7, 55), (7, 28), (8, 40), (7, 30)]
    for back in range(1, 8):
        past = day - dt.timedelta(days=back)
        if not is_working_day(past) or VanStandby.objects.filter(day=past).exists():
            continue
        hour, minute = arrivals[back % len(arrivals)]
        van_standby_record(
            actor=users["pos.layanan"],
            arrived_at=dt.datetime.combine(past, dt.time(hour, minute), tzinfo=WITA),
        )


# (ticket, category, tracking code, hours ago, answered after hours, closed, text)
DEMO_COMPLAINTS = [
    (
        "KPDEMO0001",
        "late",
        "APDEMO15",
        5,
        1,
        False,
        "Paspor saya dijanjikan sampai kemarin, tetapi belum datang. Mohon informasinya.",
    ),
    (
        "KPDEMO0002",
        "passport_data",
        "",
        30,
        None,
        False,
        "Tempat lahir di paspor saya tertulis salah. Apa yang harus saya lakukan?",
    ),
    (
        "KPDEMO0003",
        "courier_conduct",
        "APDEMO20",
        72,
        3,
        True,
        "Kurir datang di luar jam yang disepakati dan tidak menelepon lebih dulu.",
    ),
]


# "Tell us how it went": (score, comment) of the first delivered demo orders, given through the
# personal link a few hours after the delivery. The last delivered order is left to rate by hand.
DEMO_RATINGS = [
    (5, "Paspor diantar tepat waktu, kurirnya sopan. Terima kasih!"),
    (4, "Cepat, tapi kurir sempat salah alamat sebentar."),
    (5, ""),
    (2, "Kurir datang di luar jam yang saya pilih."),
]


def satisfaction_demo_load(*, now: dt.datetime) -> None:
    """A few ratings on delivered demo orders, for the partnership dashboard's satisfaction figures.
    An order rated already keeps its rating, so seeding again changes nothing."""
    delivered = DeliveryOrder.objects.filter(code__startswith="APDEMO", status=S.DELIVERED).order_by("code")
    for order, (score, comment) in zip(delivered, DEMO_RATINGS, strict=False):
        if SatisfactionRating.objects.filter(order=order).exists():
            continue
        rated_at = min(order.status_changed_at + dt.timedelta(hours=3), now)
        rating_record(order_id=order.pk, score=score, comment=comment, now=rated_at)


def complaints_demo_load(ref: ReferenceData, *, now: dt.datetime) -> None:
    """A few complaints: one answered, one without an answer for over 24 hours (the sweep puts it on
    the problems queue), one closed. Fixed ticket numbers keep it idempotent."""
    users = ref["users"]
    for ticket, category, code, hours_ago, answer_after, closed, text in DEMO_COMPLAINTS:
        if Complaint.objects.filter(ticket=ticket).exists():
            continue
        filed = now - dt.timedelta(hours=hours_ago)
        complaint = complaint_open(
            category=category,
            text=text,
            contact_email="pemohon@demo.antar-paspor.local",
            client="demo",
            tracking_code=code if DeliveryOrder.objects.filter(code=code).exists() else "",
            now=filed,
            ticket=ticket,
        ).complaint
        actor = users["pos.layanan"] if complaint.agency == "pos" else users["imigrasi"]
        if answer_after is not None:
            complaint_reply_by_staff(
                complaint_id=complaint.pk,
                actor=actor,
                now=filed + dt.timedelta(hours=answer_after),
                text="Mohon maaf atas ketidaknyamanannya. Kami sudah memeriksa dan akan menghubungi Anda hari ini.",
            )
        if closed:
            assert answer_after is not None  # the demo closes only answered complaints
            complaint_close(
                complaint_id=complaint.pk, actor=actor, now=filed + dt.timedelta(hours=answer_after + 1)
            )


def group_booking_demo_load(ref: ReferenceData, *, now: dt.datetime) -> None:
    """Paid passports of an umrah group that the ``travel`` login can book from
    ``docs/sample-group-booking.csv``. Their billing codes are fixed so that the sample file fits;
    no order is made here, so APDEMO01..31 stay as they are."""
    import csv

    from django.conf import settings

    with open(settings.BASE_DIR / "docs" / "sample-group-booking.csv", encoding="utf-8") as sample:
        rows = list(csv.DictReader(sample))
    for n, row in enumerate(rows, start=1):
        if BillingCode.objects.filter(code=row["billing_code"]).exists():
            continue
        birth = dt.date.fromisoformat(row["birth_date"])
        applicant = passport_services.applicant_create(
            full_name=row["name"],
            birth_place="Makassar",
            birth_date=birth,
            address=f"Jl. Jamaah Umrah No. {n}, Makassar",
            phone="081355500100",
            nik=f"7371880000000{n:03d}",
        )
        application = passport_services.passport_application_record(
            applicant=applicant,
            office=ref["offices"]["imigrasi"],
            passport_type=PassportType.objects.get(code="biasa-48"),
        )
        billing = passport_services.billing_code_issue(application=application, at=now)
        # Demo only: the sandbox drew a random code; the sample file needs a known one.
        BillingCode.objects.filter(pk=billing.pk).update(code=row["billing_code"])
        passport_services.payment_confirm(
            billing_code_id=billing.pk, ntpn=f"DEMOUMRAH{n:07d}", amount=billing.amount, at=now
        )
