"""Builders for test data. Orders are made and moved through the real services, so every order in
a test has the events a real one would have."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from delivery.booking import services as delivery_services
from delivery.choices import DeliveryStatus as S
from delivery.choices import DestinationKind
from delivery.courier import dispatch
from delivery.handoff import transitions as t
from delivery.models import DeliveryOrder
from demo.seed import PATH
from organisations.choices import OrganisationKind
from organisations.models import Office, Organisation
from passports import services as passport_services
from passports.gateways import get_gateway
from passports.models import PassportType

_counter = itertools.count(1)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.POS


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    name = factory.Sequence(lambda n: f"Office {n}")
    organisation = factory.SubFactory(OrganisationFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.APPLICANT
    password = factory.django.Password("secret-pass-123")


def make_applicant_user(**kwargs) -> User:
    return UserFactory(role=Role.APPLICANT, **kwargs)


def make_paid_application(
    ref: dict, *, owner: User | None = None, birth_date=dt.date(1990, 5, 17), at: dt.datetime | None = None
):
    n = next(_counter)
    applicant = passport_services.applicant_create(
        full_name=f"Pemohon Uji {n}",
        birth_place="Makassar",
        birth_date=birth_date,
        address=f"Jl. Uji No. {n}, Makassar",
        phone="081234567890",
        nik=f"7371{n:012d}",
        email=f"pemohon{n}@example.test",
        user=owner,
    )
    application = passport_services.passport_application_record(
        applicant=applicant,
        office=ref["offices"]["imigrasi"],
        passport_type=PassportType.objects.get(code="biasa-48"),
    )
    billing = passport_services.billing_code_issue(application=application, at=at)
    confirmation = get_gateway().confirm_payment(billing_code=billing.code, amount=billing.amount)
    passport_services.payment_confirm(
        billing_code_id=billing.pk, ntpn=confirmation.ntpn, amount=confirmation.amount, at=at
    )
    return application


def make_order(
    ref: dict,
    state: str = S.BOOKED,
    *,
    owner: User | None = None,
    area: str = "makassar",
    courier: str = "kurir",
    at: dt.datetime | None = None,
    **kwargs,
) -> DeliveryOrder:
    """A booked order moved along the real handoff to ``state``."""
    users = ref["users"]
    owner = owner or make_applicant_user()
    start = at or earlier_today(1)
    application = make_paid_application(ref, owner=owner, at=start, **kwargs)
    order = delivery_services.delivery_order_book(
        application=application,
        pos_office=ref["offices"]["pos"],
        destination_kind=DestinationKind.HOME,
        address=application.applicant.address,
        area=ref["areas"][area],
        recipient_phone="081234567890",
        recipient_email=application.applicant.email,
        poa_grantee_name="Sri Wahyuni",
        poa_grantee_nippos="995100100",
        poa_grantee_place="PT Pos Indonesia Cabang Makassar",
        actor=users["pos.layanan"],
        at=start,
    )
    return order_move_along(ref, order, state, owner=owner, courier=courier, start=start)


def order_move_along(
    ref: dict,
    order: DeliveryOrder,
    state: str,
    *,
    owner: User | None = None,
    courier: str = "kurir",
    start: dt.datetime | None = None,
) -> DeliveryOrder:
    """A booked order moved along the real handoff to ``state``, each move a minute after the one
    before it (closer together when that would reach past now, as just after midnight)."""
    users = ref["users"]
    owner = owner or order.application.applicant.user
    start = start or earlier_today(0.5)
    step = dt.timedelta(minutes=1)
    room = timezone.now() - start
    if room > dt.timedelta(0):
        step = min(step, room / (len(PATH[state]) + 1))
    courier_obj = ref["couriers"][courier]
    actors = {
        "hand_dossier": users["pos.layanan"],
        "mark_ready": users["imigrasi"],
        "receive_at_pos": users["pos.layanan"],
        "hand_to_delivery": users["pos.layanan"],
        "dispatch": courier_obj.user,
        "deliver": courier_obj.user,
        "fail_attempt": courier_obj.user,
        "return_to_pos": users["pos.layanan"],
        "return_to_office": users["imigrasi"],
        "cancel": owner,
        "cancel_delivery": users["pos.antaran"],
        "send_to_branch": users["pos.antaran"],
    }
    moment = start
    for action in PATH[state]:
        moment += step
        if action == "send_to_branch":
            pickup_choose(ref, order, owner=owner)
        if action == "dispatch":
            dispatch.delivery_order_assign_courier(
                order_id=order.pk, courier=courier_obj, actor=users["pos.antaran"]
            )
        extra = {"reason": "not_at_home"} if action == "fail_attempt" else {}
        t.ACTION_FUNCTIONS[action](order_id=order.pk, actor=actors[action], at=moment, **extra)
    if state == S.WITH_DELIVERY_SECTION:
        dispatch.delivery_order_assign_courier(
            order_id=order.pk, courier=courier_obj, actor=users["pos.antaran"]
        )
    order.refresh_from_db()
    return order


def pickup_choose(
    ref: dict, order: DeliveryOrder, *, owner: User | None = None, branch: str = "daya"
) -> None:
    """The applicant chooses to collect the passport at a branch of the demo (``delivery.pickup``)."""
    from delivery.pickup.services import delivery_order_choose_pickup

    owner = owner or order.application.applicant.user
    delivery_order_choose_pickup(order_id=order.pk, actor=owner, branch_id=ref["branches"][branch].pk)


def second_office_ref(ref: dict) -> dict:
    """Another Imigrasi office (Parepare) with the Pos office that serves it, a member of staff per
    role and two couriers of its own: the same shape as ``ref``, for tests of office scoping."""
    from delivery.models import Courier

    imigrasi = Office.objects.create(
        organisation=ref["offices"]["imigrasi"].organisation, name="Kantor Imigrasi Kelas II Parepare"
    )
    pos = Office.objects.create(
        organisation=ref["offices"]["pos"].organisation,
        name="PT Pos Indonesia Cabang Parepare",
        serves=imigrasi,
    )
    offices = {**ref["offices"], "imigrasi": imigrasi, "pos": pos}
    users = {}
    for name, user in ref["users"].items():
        office = user.office
        if office is not None and office.pk in (ref["offices"]["imigrasi"].pk, ref["offices"]["pos"].pk):
            office = imigrasi if office.pk == ref["offices"]["imigrasi"].pk else pos
        users[name] = UserFactory(
            username=f"{name}.parepare",
            role=user.role,
            office=office,
            first_name=f"{user.first_name} Parepare",
        )
    couriers = {}
    for n, (name, courier) in enumerate(ref["couriers"].items()):
        couriers[name] = Courier.objects.create(
            user=users[name], name=users[name].first_name, nippos=f"99520000{n}", office=pos
        )
        couriers[name].areas.set(courier.areas.all())
    return {**ref, "offices": offices, "users": users, "couriers": couriers}


def earlier_today(hours: float = 1) -> dt.datetime:
    """``hours`` ago, but not before midnight WITA today: an order made with it is "today's" on the
    dispatcher's board, the courier's run and its QR code at any hour the suite runs (even just after
    midnight)."""
    now = timezone.localtime()
    return max(now - dt.timedelta(hours=hours), now.replace(hour=0, minute=0, second=0, microsecond=0))


def make_lost_case(ref: dict, *, kind: str = "missing", police_report: bool = True):
    """A lost passport case on a new Makassar order at the Pos service section, reported by
    Imigrasi, with its police report attached unless ``police_report`` is False."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from delivery.custody.lost import lost_case_open, lost_case_police_report

    officer = ref["users"]["imigrasi"]
    case = lost_case_open(
        actor=officer,
        order_code=make_order(ref, S.RECEIVED_BY_POS).code,
        kind=kind,
        report="Tidak ada di rak serah terima.",
    )
    if police_report:
        case = lost_case_police_report(
            actor=officer,
            number=case.number,
            report_number="LP/123/XII/2026",
            upload=SimpleUploadedFile("laporan.pdf", b"%PDF-1.4 laporan polisi", "application/pdf"),
        )
    return case


def personal_link_in(text: str, order: DeliveryOrder) -> str:
    """The applicant's personal link in a message's ``text``, checked to open ``order``."""
    import re

    from delivery.manage.links import link_order

    found = re.search(r"/m/([A-Za-z0-9._=-]+)/", text)
    assert found, text
    assert link_order(found.group(1)).pk == order.pk
    return found.group(0)
