"""Complaints: filed by anyone, routed by category to the right agency's office, answered in a
thread by that office only, closed with confirmation; the photo is checked and served privately."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from complaints import services as svc
from complaints.choices import ComplaintStatus
from complaints.models import Complaint, ComplaintMessage
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from core.models import WebhookDelivery, WebhookSubscription
from delivery.choices import DeliveryStatus as S
from tests.complaints.helpers import png_bytes
from tests.factories import OfficeFactory, UserFactory, make_order

pytestmark = pytest.mark.django_db


def test_anyone_files_a_complaint_and_gets_a_ticket_and_a_private_link(ref):
    opened = svc.complaint_open(
        client="192.0.2.1", category="late", text="Paspor saya belum sampai.", contact_email="a@example.test"
    )

    complaint = opened.complaint
    assert complaint.ticket.startswith("KP") and len(complaint.ticket) == 10
    assert complaint.status == ComplaintStatus.OPEN
    assert complaint.first_response_due_at - complaint.filed_at == dt.timedelta(hours=24)
    assert (
        svc.complaint_by_secret(client="192.0.2.1", ticket=complaint.ticket, secret=opened.secret)
        == complaint
    )
    assert opened.secret not in str(Complaint.objects.filter(pk=complaint.pk).values().get())
    with pytest.raises(NotFound):
        svc.complaint_by_secret(client="192.0.2.1", ticket=complaint.ticket, secret="0" * 32)
    assert list(complaint.messages.values_list("text", flat=True)) == ["Paspor saya belum sampai."]


@pytest.mark.parametrize(
    "category, agency, office_key",
    [
        ("late", "pos", "pos"),
        ("courier_conduct", "pos", "pos"),
        ("payment", "pos", "pos"),
        ("passport_data", "imigrasi", "imigrasi"),
        ("other", "imigrasi", "imigrasi"),
    ],
)
def test_the_category_decides_the_agency(ref, category, agency, office_key):
    complaint = svc.complaint_open(
        client="192.0.2.1", category=category, text="Ada masalah.", contact_phone="081234567890"
    ).complaint
    assert complaint.agency == agency
    assert complaint.office == ref["offices"][office_key]


def test_a_tracking_code_routes_to_the_offices_of_that_order(ref):
    other_pos = OfficeFactory(organisation=ref["offices"]["pos"].organisation, name="Pos Maros")
    order = make_order(ref, S.BOOKED)
    order.__class__.objects.filter(pk=order.pk).update(pos_office=other_pos)

    complaint = svc.complaint_open(
        client="192.0.2.1",
        category="late",
        text="Terlambat sekali.",
        contact_phone="081234567890",
        tracking_code=order.code.lower(),
    ).complaint

    assert complaint.order == order and complaint.office == other_pos


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(ref):
    with pytest.raises(ValidationFailed) as refused:
        svc.complaint_open(
            client="192.0.2.1",
            category="nonsense",
            text="no",
            contact_email="not-an-email",
            tracking_code="APNOSUCH",
            photo=b"<html><script>alert(1)</script></html>",
        )
    # the tracking code is looked up only once the rest is right: a wrong text must not reveal
    # whether a code exists (see tests/security/test_lookup_lock.py)
    assert set(refused.value.fields) == {"category", "text", "contact_email", "photo"}
    with pytest.raises(ValidationFailed) as unknown_code:
        svc.complaint_open(
            client="192.0.2.1",
            category="late",
            text="Belum sampai juga.",
            contact_email="a@example.test",
            tracking_code="APNOSUCH",
        )
    assert set(unknown_code.value.fields) == {"tracking_code"}
    with pytest.raises(ValidationFailed) as no_contact:
        svc.complaint_open(client="192.0.2.1", category="late", text="Belum sampai juga.")
    assert "contact_email" in no_contact.value.fields
    assert Complaint.objects.count() == 0 and ComplaintMessage.objects.count() == 0


def test_a_photo_too_large_is_refused(ref, settings):
    settings.COMPLAINT_PHOTO_MAX_BYTES = 100
    with pytest.raises(ValidationFailed) as refused:
        svc.complaint_open(
            client="192.0.2.1",
            category="damaged_or_lost",
            text="Sampulnya robek.",
            contact_phone="081234567890",
            photo=png_bytes(),
        )
    assert [str(m) for m in refused.value.fields["photo"]] == ["Terlalu besar."]
    assert Complaint.objects.count() == 0


def test_only_staff_of_the_routed_office_reply_and_the_first_reply_stops_the_clock(
    ref, django_capture_on_commit_callbacks
):
    complaint = svc.complaint_open(
        client="192.0.2.1", category="late", text="Belum sampai.", contact_email="a@example.test"
    ).complaint
    with pytest.raises(NotAllowed):
        svc.complaint_reply_by_staff(
            complaint_id=complaint.pk, actor=ref["users"]["imigrasi"], text="Kami cek."
        )
    stranger = UserFactory(role="pos_service_officer", office=OfficeFactory())
    with pytest.raises(NotAllowed):
        svc.complaint_reply_by_staff(complaint_id=complaint.pk, actor=stranger, text="Kami cek dulu.")

    at = timezone.now() + dt.timedelta(hours=2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        first = svc.complaint_reply_by_staff(
            complaint_id=complaint.pk,
            actor=ref["users"]["pos.layanan"],
            text="Kurir kami antar besok pagi.",
            now=at,
        )
        second = svc.complaint_reply_by_staff(
            complaint_id=complaint.pk,
            actor=ref["users"]["manajer.pos"],
            text="Mohon maaf atas keterlambatan.",
            now=at + dt.timedelta(hours=1),
        )
    assert len(callbacks) == 2  # one mail task per reply, after commit (the worker test sends them)
    for message in (first, second):
        svc.complaint_reply_notify(message_id=message.pk)

    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED
    assert complaint.first_response_at == at
    assert [m.to for m in mail.outbox] == [["a@example.test"], ["a@example.test"]]
    assert "Kurir kami antar besok pagi." in mail.outbox[0].body
    assert svc.complaint_secret(complaint) in mail.outbox[0].body  # the link to the thread


def test_a_reply_mail_goes_out_once_however_often_the_task_runs(ref, django_capture_on_commit_callbacks):
    complaint = svc.complaint_open(
        client="192.0.2.1", category="late", text="Belum sampai.", contact_email="a@example.test"
    ).complaint
    message = svc.complaint_reply_by_staff(
        complaint_id=complaint.pk, actor=ref["users"]["pos.layanan"], text="Sudah kami cek."
    )
    mail.outbox.clear()
    assert svc.complaint_reply_notify(message_id=message.pk) == "sent"
    assert svc.complaint_reply_notify(message_id=message.pk) == "already_sent"
    assert len(mail.outbox) == 1


def test_closing_ends_the_thread(ref):
    complaint = svc.complaint_open(
        client="192.0.2.1", category="other", text="Pertanyaan umum.", contact_phone="081234567890"
    ).complaint
    svc.complaint_close(complaint_id=complaint.pk, actor=ref["users"]["imigrasi"])
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED and complaint.closed_by == ref["users"]["imigrasi"]
    with pytest.raises(InvalidTransition):
        svc.complaint_reply_by_complainant(complaint_id=complaint.pk, text="Masih ada pertanyaan.")
    with pytest.raises(InvalidTransition):
        svc.complaint_close(complaint_id=complaint.pk, actor=ref["users"]["imigrasi"])


def test_filing_offers_complaint_opened_to_subscribers_of_the_routed_office_only(ref):
    WebhookSubscription.objects.create(
        owner=ref["users"]["manajer.pos"], url="http://127.0.0.1:9/h", secret="s", events=["complaint.opened"]
    )
    WebhookSubscription.objects.create(
        owner=ref["users"]["manajer.imigrasi"],
        url="http://127.0.0.1:9/i",
        secret="s",
        events=["complaint.opened"],
    )
    complaint = svc.complaint_open(
        client="192.0.2.1",
        category="courier_conduct",
        text="Kurir tidak sopan.",
        contact_phone="081234567890",
    ).complaint

    delivery = WebhookDelivery.objects.get()
    assert delivery.subscription.owner == ref["users"]["manajer.pos"]
    assert delivery.payload["ticket"] == complaint.ticket
    assert delivery.payload["category"] == "courier_conduct" and delivery.payload["agency"] == "pos"
    assert "Kurir tidak sopan." not in str(delivery.payload)  # no personal data in the event


# Pages --------------------------------------------------------------------------------------------


def test_the_filing_page_shows_errors_in_indonesian_and_keeps_nothing(client, ref):
    response = client.post(reverse("complaint-new"), {"category": "late", "text": "x", "contact_email": ""})
    assert response.status_code == 200
    assert "Tulis sedikitnya 5 karakter." in response.content.decode()
    assert Complaint.objects.count() == 0


def test_a_file_that_is_not_an_image_is_refused_on_the_page(client, ref):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    response = client.post(
        reverse("complaint-new"),
        {
            "category": "damaged_or_lost",
            "text": "Paspor rusak.",
            "contact_phone": "081234567890",
            "photo": fake,
        },
    )
    assert response.status_code == 200
    assert "JPEG, PNG atau WebP" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_the_photo_is_served_as_an_image_only_to_the_complainant_and_the_routed_staff(client, ref):
    opened = svc.complaint_open(
        client="192.0.2.1",
        category="damaged_or_lost",
        text="Paspor rusak.",
        contact_phone="081234567890",
        photo=png_bytes(),
    )
    ticket = opened.complaint.ticket

    response = client.get(reverse("complaint-photo", args=[ticket, opened.secret]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert client.get(reverse("complaint-photo", args=[ticket, "0" * 32])).status_code == 404

    client.force_login(ref["users"]["imigrasi"])  # Imigrasi does not answer damaged passports
    assert client.get(reverse("complaint-staff-photo", args=[ticket])).status_code == 404
    client.force_login(ref["users"]["pos.layanan"])
    assert client.get(reverse("complaint-staff-photo", args=[ticket])).status_code == 200
    client.logout()
    assert client.get(f"/media/{opened.complaint.photo.name}").status_code == 404  # never public


def test_staff_close_only_after_a_confirmation_page(client, ref):
    complaint = svc.complaint_open(
        client="192.0.2.1", category="late", text="Belum sampai.", contact_phone="081234567890"
    ).complaint
    client.force_login(ref["users"]["pos.layanan"])
    confirm = client.get(reverse("complaint-close", args=[complaint.ticket]))
    assert "tidak dapat dibatalkan" in confirm.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.OPEN
    client.post(reverse("complaint-staff-detail", args=[complaint.ticket]), {"form": "close"})
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED


def test_the_queue_shows_only_the_offices_complaints(client, ref):
    pos_one = svc.complaint_open(
        client="192.0.2.1", category="late", text="Belum sampai.", contact_phone="081234567890"
    ).complaint
    imigrasi_one = svc.complaint_open(
        client="192.0.2.1", category="passport_data", text="Nama salah eja.", contact_phone="081234567890"
    ).complaint
    client.force_login(ref["users"]["imigrasi"])
    page = client.get(reverse("complaint-queue")).content.decode()
    assert imigrasi_one.ticket in page and pos_one.ticket not in page
    client.force_login(ref["users"]["pemohon"])
    assert client.get(reverse("complaint-queue")).status_code == 302
