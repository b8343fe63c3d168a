"""Group bookings done properly: each member gets the news of their own passport on their own
contact (the agency keeps a copy of each mail), signs their own power of attorney (through their
personal link or on paper at the Pos counter) before their dossier goes to Imigrasi, and the agency
pays the group's delivery fees once, with one group receipt."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from core.exceptions import DomainError
from delivery.booking import group_fees, group_members, groups
from delivery.choices import DeliveryStatus as S
from delivery.counter.documents import group_receipt_pdf, power_of_attorney_pdf
from delivery.counter.manifest import manifest_hand_over
from delivery.handoff import transitions as t
from delivery.manage import access, links
from delivery.models import DeliveryFeePayment, DeliveryOrder, GroupBookingItem, ManageCode
from delivery.notifications.services import delivery_event_notify
from passports.models import BillingCode
from tests.applicant.helpers import data_url, signature_png
from tests.conftest import sms_for
from tests.factories import make_paid_application

pytestmark = pytest.mark.django_db

MEMBERS = [
    ("Haji Abdul Rahman", "0813 5550 0101", "abdul@example.id"),
    ("Hajjah Siti Maryam", "081355500102", ""),
    ("Muhammad Yusuf", "081355500103", "yusuf@example.id"),
]


def book_group(ref, members=MEMBERS, area="makassar"):
    apps = [make_paid_application(ref) for _ in members]
    lines = ["billing_code,birth_date,name,phone,email"]
    for application, (name, phone, email) in zip(apps, members, strict=True):
        code = BillingCode.objects.get(application=application).code
        lines.append(f"{code},1990-05-17,{name},{phone},{email}")
    result = groups.group_booking_create(
        client="192.0.2.1",
        actor=ref["users"]["travel"],
        content=("\n".join(lines) + "\n").encode(),
        area=ref["areas"][area],
        contact_phone="081234567890",
    )
    assert result.group is not None, [r.error for r in result.failed]
    return result.group


def orders_of(group) -> list[DeliveryOrder]:
    return [
        item.order for item in group.items.select_related("order__application__applicant").order_by("row")
    ]


def sent_code(order: DeliveryOrder) -> str:
    row = ManageCode.objects.filter(order=order).order_by("-pk").first()
    access.manage_code_send(code_id=row.pk)
    texts = [sms["text"] for sms in sms_for(order.code) if sms["reference"] == f"manage-code-{row.pk}"]
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


# Each member's own news


def test_each_member_gets_their_own_news_and_the_agency_a_copy_of_each_mail(ref):
    group = book_group(ref)
    first, second, _third = orders_of(group)
    # the member's own contact on their order, not the agency's
    assert (first.recipient_phone, first.recipient_email) == ("081355500101", "abdul@example.id")
    assert (second.recipient_phone, second.recipient_email) == ("081355500102", "")
    agency = ref["users"]["travel"].email

    for order in (first, second):
        group_members.member_poa_sign_at_counter(order_id=order.pk, actor=ref["users"]["pos.layanan"])
        moved = t.delivery_order_hand_dossier(order_id=order.pk, actor=ref["users"]["pos.layanan"])
        mail.outbox.clear()
        delivery_event_notify(event_id=moved.event.pk)

        # the short message goes to the member's phone, with their personal link
        sms = [row for row in sms_for(order.code) if row["reference"].startswith(f"ap-{moved.event.pk}-")]
        assert [row["to"] for row in sms] == [order.recipient_phone]
        assert "/m/" in sms[0]["text"]
        # the mail to the member (or the address of their application), the agency in blind copy
        (message,) = mail.outbox
        member_mail = order.recipient_email or order.application.applicant.email
        assert message.to == [member_mail] and message.bcc == [agency]
        assert links.link_url(order).rsplit(".", 1)[0].rsplit(".", 1)[0] in message.body


def test_a_row_without_the_members_phone_books_nothing(ref):
    application = make_paid_application(ref)
    code = BillingCode.objects.get(application=application).code
    content = (
        f"billing_code,birth_date,name,phone\n{code},1990-05-17,Tanpa Telepon,\n{code},1990-05-17,X,12\n"
    )
    result = groups.group_booking_create(
        client="192.0.2.1",
        actor=ref["users"]["travel"],
        content=content.encode(),
        area=ref["areas"]["makassar"],
        contact_phone="081234567890",
    )
    assert result.group is None
    assert result.rows[0].error == "telepon anggota belum diisi: kabar paspornya dikirim ke sana"
    assert result.rows[1].error  # not a phone number
    bad_header = groups.group_booking_create(
        client="192.0.2.1",
        actor=ref["users"]["travel"],
        content=f"billing_code,birth_date,name\n{code},1990-05-17,A\n".encode(),
        area=ref["areas"]["makassar"],
        contact_phone="081234567890",
    )
    assert bad_header.file_error.startswith("Baris pertama harus berupa judul kolom")


def test_the_courier_calls_the_agency_where_the_group_is_delivered(ref):
    from delivery.courier.selectors import group_contact_phones

    group = book_group(ref)
    orders = orders_of(group)
    assert set(group_contact_phones(orders).values()) == {"081234567890"}


# Each member's own power of attorney


def test_the_dossier_waits_for_the_members_signature(ref):
    group = book_group(ref)
    first, second, third = orders_of(group)
    clerk = ref["users"]["pos.layanan"]

    with pytest.raises(DomainError) as refused:
        t.delivery_order_hand_dossier(order_id=first.pk, actor=clerk)
    assert refused.value.code == "member_signature_missing"
    assert "menunggu tanda tangan anggota" in str(refused.value.message)
    assert not t.actor_may("hand_dossier", first, clerk) or first.status == S.BOOKED
    with pytest.raises(DomainError):
        t.check_move("hand_dossier", first, clerk)
    # a manifest with one member waiting hands nothing over
    with pytest.raises(DomainError) as whole:
        manifest_hand_over(actor=clerk, order_ids=[first.pk, second.pk])
    assert whole.value.code == "member_signature_missing"
    assert DeliveryOrder.objects.get(pk=first.pk).status == S.BOOKED
    assert group_members.members_waiting_signature([first.pk, second.pk, third.pk]) == {
        first.pk,
        second.pk,
        third.pk,
    }

    # the first signs through the link, the second on paper at the counter
    member = access.applicant_user_ensure(order=first)
    group_members.member_poa_sign(order_id=first.pk, signature=data_url(signature_png()), actor=member)
    group_members.member_poa_sign_at_counter(order_id=second.pk, actor=clerk)

    items = {item.order_id: item for item in GroupBookingItem.objects.filter(group=group)}
    assert items[first.pk].poa_signed_via == "link" and items[first.pk].poa_recorded_by == member
    assert items[first.pk].poa_signature.name.endswith(".png")
    assert items[second.pk].poa_signed_via == "counter" and items[second.pk].poa_recorded_by == clerk
    first.refresh_from_db()
    assert first.poa_signed_at == items[first.pk].poa_signed_at
    manifest = manifest_hand_over(actor=clerk, order_ids=[first.pk, second.pk])
    assert manifest.orders.count() == 2
    assert group_members.members_waiting_signature([third.pk]) == {third.pk}
    # the power of attorney PDF carries the member's drawn signature
    assert power_of_attorney_pdf(order=first).startswith(b"%PDF")

    # signing twice, or signing for an order not of a group, is refused
    with pytest.raises(DomainError) as twice:
        group_members.member_poa_sign_at_counter(order_id=second.pk, actor=clerk)
    assert twice.value.code == "already_signed"
    other = make_paid_application(ref)
    with pytest.raises(DomainError):
        group_members.member_poa_sign_at_counter(order_id=other.pk, actor=clerk)


def test_only_the_orders_pos_counter_records_a_paper_signature(ref):
    group = book_group(ref)
    order = orders_of(group)[0]
    for who in ("travel", "imigrasi", "pos.antaran"):
        with pytest.raises(DomainError) as refused:
            group_members.member_poa_sign_at_counter(order_id=order.pk, actor=ref["users"][who])
        assert refused.value.status_code == 403
    with pytest.raises(DomainError) as blank:
        group_members.member_poa_sign(order_id=order.pk, signature="", actor=None)
    assert "signature" in blank.value.fields


def test_a_member_signs_through_their_link_after_the_one_time_code(ref):
    group = book_group(ref)
    order = orders_of(group)[0]
    token = links.link_token(order)
    browser = Client()
    url = reverse("manage-link-poa", args=[token])

    landing = browser.get(reverse("manage-link", args=[token]))
    assert url in landing.content.decode()  # the landing page leads to the signature
    page = browser.get(url)
    assert page.status_code == 200 and "Kirimi saya kode sekali pakai" in page.content.decode()
    assert browser.post(url, {"send_code": "1"}).status_code == 302
    digits = sent_code(order)
    wrong = browser.post(url, {"code": f"{(int(digits) + 1) % 10**6:06d}", "agree": "on", "signature": ""})
    assert wrong.status_code == 400
    assert GroupBookingItem.objects.get(order=order).poa_signed_at is None

    signed = browser.post(url, {"code": digits, "agree": "on", "signature": data_url(signature_png())})
    assert signed.status_code == 302
    item = GroupBookingItem.objects.get(order=order)
    assert item.poa_signed_via == "link"
    assert "Ditandatangani melalui tautan pribadi" in browser.get(url).content.decode()
    # an order booked alone has nothing to sign here
    assert Client().get(reverse("manage-link-poa", args=["AP123.x.y"])).status_code == 404


# The group's fees, paid once


def test_the_agency_pays_the_groups_fees_once_with_one_receipt(ref, tmp_path):
    group = book_group(ref)
    orders = orders_of(group)
    fee = ref["areas"]["makassar"].delivery_fee
    assert {order.delivery_fee for order in orders} == {fee}
    bill = group_fees.group_receipt(group)
    assert (bill.total, bill.paid) == (3 * fee, False)
    # a member cancelled before the agency paid: nothing to pay for them
    t.delivery_order_cancel(order_id=orders[2].pk, actor=access.applicant_user_ensure(order=orders[2]))

    with pytest.raises(DomainError) as not_pos:
        group_fees.group_fees_pay(group_id=group.pk, actor=ref["users"]["travel"])
    assert not_pos.value.status_code == 403
    receipt = group_fees.group_fees_pay(group_id=group.pk, actor=ref["users"]["pos.layanan"])

    assert receipt.paid and receipt.total == 2 * fee
    assert receipt.receipt_number == f"DF-{group.number}"
    payments = DeliveryFeePayment.objects.filter(order__group_item__group=group).order_by("receipt_number")
    assert [(p.receipt_number, p.amount) for p in payments] == [
        (f"DF-{group.number}-1", fee),
        (f"DF-{group.number}-2", fee),
    ]
    full_names = [order.application.applicant.full_name for order in orders]  # "Pemohon Uji <n>"
    assert [row.name for row in receipt.rows] == [f"Pemohon U. {name.split()[-1][0]}." for name in full_names]
    assert [row.charged for row in receipt.rows] == [True, True, False]
    with pytest.raises(DomainError) as twice:
        group_fees.group_fees_pay(group_id=group.pk, actor=ref["users"]["pos.layanan"])
    assert twice.value.code == "already_paid"

    group.refresh_from_db()
    pdf = group_receipt_pdf(receipt=group_fees.group_receipt(group))
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    (tmp_path.parent / "group-receipt.pdf").write_bytes(pdf)  # kept to look at
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert f"Kuitansi DF-{group.number}" in text and receipt.rows[0].name in text
    assert "Pemohon Uji" not in text  # names shortened on paper
    assert orders[0].code in text and "dibatalkan" in text


# The API twins


def test_the_api_books_with_member_contacts_signs_through_the_link_and_prints_the_receipt(ref):
    from rest_framework.test import APIClient

    apps = [make_paid_application(ref) for _ in range(2)]
    agency = APIClient()
    agency.force_authenticate(ref["users"]["travel"])
    rows = [
        {
            "billing_code": BillingCode.objects.get(application=a).code,
            "birth_date": "1990-05-17",
            "name": f"Jamaah {n}",
            "phone": f"08135550020{n}",
            "email": f"jamaah{n}@example.id" if n else "",
        }
        for n, a in enumerate(apps)
    ]
    made = agency.post(
        "/api/v1/groups/", {"area": "makassar", "contact_phone": "081234567890", "rows": rows}, format="json"
    )
    assert made.status_code == 201
    body = made.json()
    number = body["number"]
    assert [o["waiting_signature"] for o in body["orders"]] == [True, True]
    assert body["orders"][0]["phone"] == "0813•••200" and body["fees_paid_at"] is None
    order = DeliveryOrder.objects.get(code=body["orders"][0]["code"])
    assert order.recipient_phone == "081355500200"

    # the member, with their link's token and the one-time code
    member = APIClient()
    token = links.link_token(order)
    state = member.get(f"/api/v1/links/{token}/power-of-attorney/")
    assert state.status_code == 200 and state.json()["signed"] is False
    sent = member.post(f"/api/v1/links/{token}/code/")
    assert sent.status_code == 201 and sent.json()["to_phone"].endswith("200")
    digits = sent_code(order)
    no_signature = member.post(
        f"/api/v1/links/{token}/power-of-attorney/",
        {"code_id": sent.json()["code_id"], "code": "12", "signature": "x"},
        format="json",
    )
    assert no_signature.status_code == 400 and no_signature.json()["fields"]
    signed = member.post(
        f"/api/v1/links/{token}/power-of-attorney/",
        {"code_id": sent.json()["code_id"], "code": digits, "signature": data_url(signature_png())},
        format="json",
    )
    assert signed.status_code == 200, signed.json()
    assert signed.json()["signed"] is True and signed.json()["via"] == "link"
    bad = member.get("/api/v1/links/AP1.a.b/power-of-attorney/")
    assert bad.status_code == 404 and bad.json()["code"] == "link_invalid"

    # the counter: the second member signed on paper, the agency paid once
    clerk = APIClient()
    clerk.force_authenticate(ref["users"]["pos.layanan"])
    second = body["orders"][1]["code"]
    paper = clerk.post(f"/api/v1/groups/{number}/members/{second}/signed-on-paper/")
    assert paper.status_code == 200
    assert [o["poa_signed_via"] for o in paper.json()["orders"]] == ["link", "counter"]
    assert agency.post(f"/api/v1/groups/{number}/fees/").status_code == 403
    paid = clerk.post(f"/api/v1/groups/{number}/fees/")
    assert paid.status_code == 200
    fee = ref["areas"]["makassar"].delivery_fee
    assert paid.json()["fees_total"] == 2 * fee and paid.json()["fee_receipt_number"] == f"DF-{number}"
    again = clerk.post(f"/api/v1/groups/{number}/fees/")
    assert again.status_code == 409 and again.json()["code"] == "already_paid"

    pdf = agency.get(f"/api/v1/groups/{number}/receipt.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
