"""Group booking by a travel agency: a CSV of billing codes and dates of birth, all or nothing with a
report per line, one delivery to the agency's office with one courier, tracked as a group."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from core.exceptions import NotAllowed
from delivery.booking import groups
from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryEvent, DeliveryOrder, GroupBooking
from passports.models import BillingCode
from tests.factories import make_order, make_paid_application

pytestmark = pytest.mark.django_db
BIRTH = dt.date(1990, 5, 17)


def code_of(application):
    return BillingCode.objects.get(application=application).code


def csv_of(*lines):
    """A file of the given lines, each with a member's phone added as its last column."""
    rows = [f"{line},08124000{n:04d}" for n, line in enumerate(lines)]
    return ("billing_code,birth_date,name,phone\n" + "\n".join(rows) + "\n").encode()


def book(ref, content, **kw):
    return groups.group_booking_create(
        client="192.0.2.1",
        actor=ref["users"]["travel"],
        content=content,
        area=ref["areas"]["makassar"],
        contact_phone="081234567890",
        **kw,
    )


def test_every_good_line_is_booked_to_the_agency_office_as_one_delivery(ref):
    apps = [make_paid_application(ref) for _ in range(3)]
    result = book(ref, csv_of(*[f"{code_of(a)},1990-05-17,Jamaah {n}" for n, a in enumerate(apps)]))

    group = result.group
    assert group is not None and not result.failed
    orders = list(DeliveryOrder.objects.filter(group_item__group=group))
    assert len(orders) == 3 and len({o.code for o in orders}) == 3  # each keeps its own tracking code
    assert {o.destination_kind for o in orders} == {"office"}
    assert all(ref["offices"]["agency"].name in o.address for o in orders)
    assert {o.poa_grantee_nippos for o in orders} == {group.courier.nippos}  # one courier for all
    assert {o.booked_by for o in orders} == {ref["users"]["travel"]}
    assert DeliveryEvent.objects.filter(order__in=orders, to_status=S.BOOKED).count() == 3


def test_bad_lines_are_reported_one_by_one_and_nothing_is_booked(ref):
    good = make_paid_application(ref)
    other = make_paid_application(ref)
    booked = make_order(ref, S.BOOKED)
    content = csv_of(
        f"{code_of(good)},1990-05-17,Baik",
        f"{code_of(other)},17-05-1990,Tanggal lain format",  # DD-MM-YYYY is read too
        f"{code_of(good)},1990-05-17,Dobel",
        "123,1990-05-17,Pendek",
        f"{code_of(other)}",  # one column only
        f"{'9' * 15},1990-05-17,Tidak dikenal",
        f"{code_of(booked.application)},1990-05-17,Sudah dipesan",
        f"{code_of(other)[:-1]}0,31-02-1990,Tanggal salah",
    )
    result = book(ref, content)

    assert result.group is None
    report = {r.row: r.error for r in result.rows}
    assert report[2] == "" and report[3] == ""
    assert report[4] == "kode billing ini sudah ada di baris 2"
    assert report[5] == "Kode billing terdiri atas tepat 15 digit."
    assert report[6] == "diharapkan 4 kolom seperti pada judul, ditemukan 2"
    assert report[7].startswith("Tidak ada kode billing yang cocok")
    assert report[8] == "Pengiriman untuk paspor ini sudah dipesan."
    assert report[9].startswith("“31-02-1990” bukan tanggal")
    assert GroupBooking.objects.count() == 0
    assert DeliveryOrder.objects.count() == 1  # only the one booked before


@pytest.mark.parametrize(
    "content, message",
    [
        ("billing_code,birth_date\n1,2\n".encode("utf-16"), "bukan teks UTF-8"),
        (b"kode,tanggal\n1,2\n", "Baris pertama harus berupa judul kolom"),
        (b"billing_code,birth_date,name\n" + b"1,2,3\n" * 80_000, "terlalu besar"),
        (b"", "kosong"),
    ],
)
def test_a_broken_file_gets_one_clear_message(ref, content, message):
    result = book(ref, content)
    assert message in result.file_error and result.group is None


def test_only_travel_agencies_book_groups(ref):
    with pytest.raises(NotAllowed):
        groups.group_booking_create(
            client="192.0.2.1",
            actor=ref["users"]["pemohon"],
            content=csv_of(),
            area=ref["areas"]["makassar"],
            contact_phone="081234567890",
        )


def test_the_dispatcher_moves_the_whole_group_to_one_courier(ref):
    from delivery.booking.group_members import member_poa_sign_at_counter
    from delivery.handoff import transitions as t

    apps = [make_paid_application(ref) for _ in range(2)]
    group = book(ref, csv_of(*[f"{code_of(a)},1990-05-17," for a in apps])).group
    users = ref["users"]
    for order in DeliveryOrder.objects.filter(group_item__group=group):
        member_poa_sign_at_counter(order_id=order.pk, actor=users["pos.layanan"])
        t.ACTION_FUNCTIONS["hand_dossier"](order_id=order.pk, actor=users["pos.layanan"])
        t.ACTION_FUNCTIONS["mark_ready"](order_id=order.pk, actor=users["imigrasi"])
        t.ACTION_FUNCTIONS["receive_at_pos"](order_id=order.pk, actor=users["pos.layanan"])

    moved = groups.group_booking_assign_courier(
        group_id=group.pk, courier=ref["couriers"]["kurir2"], actor=users["pos.antaran"]
    )

    assert moved == 2
    assert set(
        DeliveryOrder.objects.filter(group_item__group=group).values_list("courier__nippos", flat=True)
    ) == {ref["couriers"]["kurir2"].nippos}


def test_group_booking_and_its_status_over_the_api(ref):
    apps = [make_paid_application(ref) for _ in range(2)]
    api = APIClient()
    api.force_authenticate(ref["users"]["travel"])
    rows = [
        {"billing_code": code_of(a), "birth_date": "1990-05-17", "name": f"J{n}", "phone": f"08124000{n:04d}"}
        for n, a in enumerate(apps)
    ]

    refused = api.post(
        "/api/v1/groups/",
        {
            "area": "makassar",
            "contact_phone": "081234567890",
            "rows": [*rows, {"billing_code": "1", "birth_date": "x", "phone": "081234567899"}],
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "group_rows_invalid"
    assert body["fields"]["rows"] == ["line 4: “x” is not a date; write it as YYYY-MM-DD"]
    assert GroupBooking.objects.count() == 0

    made = api.post(
        "/api/v1/groups/",
        {"area": "makassar", "contact_phone": "081234567890", "rows": rows},
        format="json",
        HTTP_IDEMPOTENCY_KEY="group-1",
    )
    assert made.status_code == 201
    number = made.json()["number"]
    again = api.post(
        "/api/v1/groups/",
        {"area": "makassar", "contact_phone": "081234567890", "rows": rows},
        format="json",
        HTTP_IDEMPOTENCY_KEY="group-1",
    )
    assert again.json()["number"] == number and GroupBooking.objects.count() == 1

    status = api.get(f"/api/v1/groups/{number}/").json()
    assert [o["status"] for o in status["orders"]] == ["booked", "booked"]
    assert APIClient().get(f"/api/v1/groups/{number}/").status_code in (401, 403)


def test_the_demo_seeds_the_sample_files_passports_idempotently(db):
    from django.conf import settings

    from demo.seed import reference_data_load, seed_demo

    seed_demo()
    seed_demo()
    ref = reference_data_load()
    content = (settings.BASE_DIR / "docs" / "sample-group-booking.csv").read_bytes()
    result = groups.group_booking_create(
        client="192.0.2.1",
        actor=ref["users"]["travel"],
        content=content,
        area=ref["areas"]["makassar"],
        contact_phone="081234567890",
    )
    assert result.group is not None and len(result.rows) == 4
    assert DeliveryOrder.objects.filter(code__startswith="APDEMO").count() == 32
