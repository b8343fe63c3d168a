"""Office scoping: the staff of another office (Parepare, with its own Pos office, staff and couriers)
reach nothing of Makassar's. Every object-addressed page and API operation is called with a real
Makassar object, first by Makassar's own staff (so the address is known to work: the test cannot pass
on a wrong address) and then by each Parepare member of staff, reading and writing: no 2xx."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import get_resolver, reverse

from complaints.services import complaint_open
from delivery.choices import DeliveryStatus as S
from delivery.counter.batches import batch_release
from delivery.counter.manifest import manifest_hand_over
from delivery.models import DeliveryOrder
from delivery.money.statements import statement_build, today
from passports import services as passport_services
from passports.models import BillingCode
from tests.applicant.helpers import make_billed_application
from tests.factories import make_lost_case, make_order, make_paid_application, second_office_ref
from tests.security.test_permission_matrix import url_names
from tests.travel.test_group_members import book_group

STAFF = ("imigrasi", "pos.layanan", "pos.antaran", "kurir", "manajer.imigrasi", "manajer.pos")

# Not office-scoped, each for its reason: a complainant's or applicant's secret link (the secret is
# the key; tests/complaints and tests/applicant), the partnership's agreements, evaluations and
# disputes (between the two agencies, not one office: to be scoped with the national offices), and
# the language switch; the public tracking page behind its signed link (tests/delivery/test_tracking.py).
# The applicant's "manage my delivery" pages open for the browser that passed the one-time code, for
# staff as for anyone else (tests/applicant/test_manage_link.py); so do a group member's power of
# attorney page and its API twins ("manage-link-poa", "api-link-", tests/travel/test_group_members.py).
UNSCOPED_PREFIXES = (
    "partners-",
    "api-partners-",
    "booking-",
    "api-booking-",
    "language-switch",
    "manage-",
    "api-manage-",
    "api-link-",
)
# api-area-windows: an area's delivery days and free places, public like the tariff on the landing page
# api-link-rating: the rating through the personal link (the link is the key, like manage-link-rating)
UNSCOPED = {
    "complaint-thread",
    "complaint-photo",
    "complaint-order",
    "track-result",
    "api-area-windows",
    "api-link-rating",
}


@pytest.fixture
def makassar(ref):
    """One object of each kind a Makassar URL can address."""
    out = make_order(ref, S.OUT_FOR_DELIVERY, courier="kurir")
    handed = make_order(ref, S.BOOKED)
    manifest = manifest_hand_over(actor=ref["users"]["pos.layanan"], order_ids=[handed.pk])
    ready = make_order(ref, S.PASSPORT_READY)
    batch = batch_release(actor=ref["users"]["imigrasi"], codes=[ready.code])
    billed = make_billed_application(ref)
    payment_request = passport_services.payment_request_open(
        billing_code=BillingCode.objects.get(application=billed).code, actor=ref["users"]["pos.layanan"]
    )
    paid = make_paid_application(ref)
    complaint = complaint_open(
        client="192.0.2.1",
        category="late",
        text="Paspor belum sampai.",
        contact_phone="081234567890",
        tracking_code=out.code,
    ).complaint
    lost = make_lost_case(ref, kind="missing")
    group = book_group(ref)
    statement = statement_build(pos_office_id=ref["offices"]["pos"].pk, day=today())
    values = {
        "code": out.code,
        "action": "deliver",
        "kind": "receipt",
        "fmt": "csv",
        "ticket": complaint.ticket,
        "application_id": paid.pk,
        "number": "GRUNKNOWN",
        "statement_id": statement.pk,
        "dispute_id": 999999,
    }
    by_name = {
        "counter-application": paid.pk,
        "counter-book": paid.pk,
        "counter-payment": payment_request.pk,
        "counter-payment-status": payment_request.pk,
        "api-counter-payment-detail": payment_request.pk,
        "counter-manifest": manifest.pk,
        "counter-manifest-file": manifest.pk,
        "api-counter-manifest-detail": manifest.pk,
        "api-counter-manifest-acknowledge": manifest.pk,
        "counter-batch": batch.pk,
        "counter-batch-letter": batch.pk,
        "api-counter-batch-acknowledge": batch.pk,
        "custody-police-report": lost.number,
        "api-lost-case": lost.number,
        "api-lost-case-police-report": lost.number,
        "api-lost-case-decision": lost.number,
        "courier-board-run-sheet": ref["couriers"]["kurir"].pk,
        **{
            name: group.number
            for name in (
                "group-detail",
                "api-group",
                "group-receipt",
                "api-group-receipt",
                "group-fees-pay",
                "api-group-fees",
                "group-member-poa-paper",
                "api-group-member-poa-paper",
            )
        },
    }
    return values, by_name


def object_urls(values: dict, by_name: dict) -> dict[str, str]:
    resolver = get_resolver()
    urls = {}
    for name in url_names(resolver.url_patterns):
        if name in UNSCOPED or name.startswith(UNSCOPED_PREFIXES):
            continue
        params = set()
        for possibility, *_ in resolver.reverse_dict.getlist(name):
            for _format, names in possibility:
                params |= set(names)
        if not params:
            continue
        kwargs = {
            p: (by_name[name] if name in by_name and p in ("pk", "number") else values[p]) for p in params
        }
        urls[name] = reverse(name, kwargs=kwargs)
    return urls


def calls(client: Client, path: str):
    yield "GET", client.get(path)
    yield "POST", client.post(path, {}, content_type="application/json")
    yield "POST form", client.post(path, {"confirm": "1", "reason": "x", "courier": "1"})


@pytest.mark.django_db
def test_staff_of_another_office_reach_no_object_of_this_office(ref, makassar):
    values, by_name = makassar
    urls = object_urls(values, by_name)
    assert len(urls) >= 35, sorted(urls)  # the walk covers the object-addressed URLs, not a few
    parepare = second_office_ref(ref)
    make_order(parepare, S.OUT_FOR_DELIVERY, courier="kurir")  # Parepare has work of its own

    # One logged-in session per member of staff for the whole walk (a new one if a call ended it).
    clients: dict[str, Client] = {}

    def client_of(key: str, user) -> Client:
        client = clients.get(key)
        if client is None or "_auth_user_id" not in client.session:
            client = clients[key] = Client()
            client.force_login(user)
        return client

    owner = _owner(values["code"])
    unreached, leaks = [], []
    for name, path in sorted(urls.items()):
        cache.clear()
        statuses = set()
        for actor in STAFF + ("owner",):
            user = ref["users"][actor] if actor != "owner" else owner
            statuses.add(client_of(actor, user).get(path).status_code)
        if statuses <= {404, 405} and name not in NOT_READABLE_BY_GET:
            unreached.append(f"{name} {path} {sorted(statuses)}")
        for actor in STAFF:
            client = client_of(f"{actor}.parepare", parepare["users"][actor])
            for method, response in calls(client, path):
                if 200 <= response.status_code < 300:
                    leaks.append(f"{actor}.parepare {method} {name} {path} -> {response.status_code}")
    assert not leaks, "another office's staff got an answer:\n" + "\n".join(leaks)
    assert not unreached, "these addresses reach nothing even for Makassar's staff:\n" + "\n".join(unreached)


# Addresses that answer only POST (405 on GET, 404 past it for a wrong object), and the proof files
# of a delivered order (this order is still out; tests/courier/test_proof.py reads them).
NOT_READABLE_BY_GET = {
    "order-proof-file",
    "api-order-move",
    "api-pickup-handover",
    "api-order-assign-courier",
    "api-order-reschedule",
    "api-order-code-unlock",
    "api-order-address",
    "api-order-cancel",
    "api-courier-dispatch",
    "api-courier-deliver",
    "api-courier-fail",
    "api-counter-batch-acknowledge",
    "api-counter-manifest-acknowledge",
    "api-counter-dossier-refuse",
    "api-complaint-replies",
    "api-complaint-close",
    "order-assign-courier",
    "order-code-unlock",
    "courier-reassign",
    "group-fees-pay",
    "api-group-fees",
    "group-member-poa-paper",
    "api-group-member-poa-paper",
    "api-lost-case-open",
    "api-lost-case-police-report",
    "api-lost-case-decision",
    "api-money-statement-approval",
    "api-money-statement-disputes",
    "api-money-statement-settlement",
}


def _owner(code: str):
    return (
        DeliveryOrder.objects.select_related("application__applicant__user")
        .get(code=code)
        .application.applicant.user
    )


@pytest.mark.django_db
def test_a_pos_officer_of_another_office_cannot_open_or_book_an_application(ref):
    """The probe's case: Parepare's Pos service officer opened a Makassar application and booked it."""
    application = make_paid_application(ref)
    billed = make_billed_application(ref)
    passport_services.payment_request_open(
        billing_code=BillingCode.objects.get(application=billed).code, actor=ref["users"]["pos.layanan"]
    )
    parepare = second_office_ref(ref)
    client = Client()
    client.force_login(parepare["users"]["pos.layanan"])
    for pk in (application.pk, billed.pk):
        assert client.get(f"/counter/applications/{pk}/").status_code == 404
        assert client.get(f"/counter/applications/{pk}/book/").status_code == 404
    booked = client.post(
        f"/counter/applications/{application.pk}/book/",
        {
            "destination_kind": "home",
            "address": "Jl. Andi Makkasau No. 1, Parepare",
            "area": "makassar",
            "recipient_phone": "081234567890",
            "poa_grantee_name": "X",
            "poa_grantee_nippos": "1",
            "poa_grantee_place": "Parepare",
            "fee_received": "on",
        },
    )
    assert booked.status_code == 404
    refused = client.post(
        "/api/v1/counter/bookings/", {"application": application.pk}, content_type="application/json"
    )
    assert refused.status_code in (400, 403, 404)
    assert not DeliveryOrder.objects.filter(application=application).exists()
    # Makassar's own Pos officer still reaches it
    own = Client()
    own.force_login(ref["users"]["pos.layanan"])
    assert own.get(f"/counter/applications/{billed.pk}/").status_code == 200


@pytest.mark.django_db
def test_the_booking_service_refuses_a_pos_office_that_does_not_serve_the_application(ref):
    from core.exceptions import NotAllowed
    from delivery.booking.services import delivery_order_book

    application = make_paid_application(ref)
    parepare = second_office_ref(ref)
    with pytest.raises(NotAllowed):
        delivery_order_book(
            application=application,
            pos_office=parepare["offices"]["pos"],
            destination_kind="home",
            address="Jl. Uji No. 1, Makassar",
            area=ref["areas"]["makassar"],
            recipient_phone="081234567890",
            poa_grantee_name="X",
            poa_grantee_nippos="1",
            poa_grantee_place="Parepare",
            actor=parepare["users"]["pos.layanan"],
            at=dt.datetime.now(dt.UTC),
        )
    assert not DeliveryOrder.objects.filter(application=application).exists()
