"""WhatsApp beside SMS and mail: the applicant's opt-in, the sandbox Cloud API with its signed status
callbacks, the webhook that checks the signature, and the fallback to SMS when WhatsApp fails."""

import json
from pathlib import Path

import pytest
from django.test import Client

from core.models import OutboxMessage
from delivery.booking.services import delivery_order_book
from delivery.models import Notification, WhatsAppOptIn
from delivery.notifications.services import delivery_event_notify
from delivery.notifications.whatsapp import whatsapp_signature
from tests.conftest import sms_for, wait_for
from tests.factories import make_paid_application, personal_link_in

WEBHOOK = "/api/v1/webhooks/whatsapp/"


def book(ref, *, channels, phone="081234567891"):
    application = make_paid_application(ref)
    return delivery_order_book(
        application=application,
        pos_office=ref["offices"]["pos"],
        destination_kind="home",
        address=application.applicant.address,
        area=ref["areas"]["makassar"],
        recipient_phone=phone,
        recipient_email=application.applicant.email,
        poa_grantee_name="Sri Wahyuni",
        poa_grantee_nippos="995100100",
        poa_grantee_place="PT Pos Indonesia Cabang Makassar",
        actor=ref["users"]["pos.layanan"],
        news_channels=channels,
    )


def whatsapp_for(code: str) -> list[dict]:
    from django.conf import settings

    path = Path(settings.WHATSAPP_LOG_FILE)
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row["template"]["parameters"][:1] == [code]]


def callback(wamid: str, status: str, *, error: int | None = None) -> bytes:
    entry = {"id": wamid, "status": status, "timestamp": "1764900000", "recipient_id": "6281234567891"}
    if error:
        entry["errors"] = [{"code": error, "title": "Message undeliverable"}]
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": {"statuses": [entry]}}]}],
        }
    ).encode()


def post(body: bytes, signature: str | None):
    headers = {} if signature is None else {"X-Hub-Signature-256": signature}
    return Client().post(WEBHOOK, data=body, content_type="application/json", headers=headers)


# Through the real worker: the sandbox posts its statuses from a Celery task.


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_whatsapp_only_reaches_the_applicant_and_reports_read(tx_ref, celery_worker_process):
    order = book(tx_ref, channels=["whatsapp"])
    event = order.events.get()
    opt_in = WhatsAppOptIn.objects.get(applicant=order.application.applicant)
    assert (opt_in.phone, opt_in.method, opt_in.recorded_by) == (
        order.recipient_phone,
        "counter",
        tx_ref["users"]["pos.layanan"],
    )

    wait_for(
        lambda: Notification.objects.filter(event=event, channel="whatsapp", delivery_status="read").exists(),
        timeout=30,
    )
    row = Notification.objects.get(event=event, channel="whatsapp")
    assert row.status == "sent" and row.provider_message_id.startswith("wamid.")
    [message] = whatsapp_for(order.code)
    assert message["id"] == row.provider_message_id and message["to"] == order.recipient_phone
    assert message["template"]["name"] == "antar_paspor_booked"
    assert message["template"]["language"] == {"code": "id"}
    personal_link_in(message["template"]["parameters"][1], order)
    # the applicant chose neither SMS nor email
    assert sms_for(order.code) == []
    others = Notification.objects.filter(event=event).exclude(channel="whatsapp")
    assert set(others.values_list("status", flat=True)) == {"skipped"}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_number_without_whatsapp_gets_the_news_by_sms(tx_ref, celery_worker_process):
    order = book(tx_ref, channels=["whatsapp", "email"], phone="081234560000")
    event = order.events.get()

    wait_for(lambda: len(sms_for(order.code)) >= 1, timeout=30)
    row = Notification.objects.get(event=event, channel="whatsapp")
    assert row.delivery_status == "failed" and "131026" in row.last_error
    [sms] = sms_for(order.code)
    assert sms["to"] == "081234560000" and "Pengantaran dipesan" in sms["text"]
    wait_for(lambda: Notification.objects.get(event=event, channel="sms").status == "sent")
    assert len(sms_for(order.code)) == 1


# In the test process: the webhook and the opt-in.


@pytest.fixture
def logs(settings, tmp_path):
    settings.SMS_BACKEND = "delivery.notifications.sms.LogFileSmsBackend"
    settings.SMS_LOG_FILE = str(tmp_path / "sms.log")
    settings.WHATSAPP_LOG_FILE = str(tmp_path / "whatsapp.log")
    return tmp_path


def _sent_whatsapp(ref):
    order = book(ref, channels=["whatsapp"])
    event = order.events.get()
    delivery_event_notify(event_id=event.pk)
    return order, Notification.objects.get(event=event, channel="whatsapp")


def test_no_whatsapp_message_without_the_opt_in_the_news_goes_by_sms(ref, logs):
    order = book(ref, channels=["whatsapp"])
    event = order.events.get()
    WhatsAppOptIn.objects.filter(applicant=order.application.applicant).delete()

    delivery_event_notify(event_id=event.pk)

    row = Notification.objects.get(event=event, channel="whatsapp")
    assert (row.status, row.delivery_status, row.provider_message_id) == ("skipped", "failed", "")
    assert whatsapp_for(order.code) == []
    assert OutboxMessage.objects.filter(
        task_name="delivery.tasks.notify_delivery_event", args=[event.pk]
    ).exists()
    delivery_event_notify(event_id=event.pk)  # the task the fallback enqueued
    assert Notification.objects.get(event=event, channel="sms").status == "sent"
    assert [row["to"] for row in sms_for(order.code)] == [order.recipient_phone]


def test_a_signed_status_callback_updates_the_message(ref, logs):
    order, row = _sent_whatsapp(ref)
    assert row.status == "sent" and row.delivery_status == ""

    body = callback(row.provider_message_id, "delivered")
    answer = post(body, whatsapp_signature(body))

    assert answer.status_code == 200 and answer.json() == {"changed": 1}
    row.refresh_from_db()
    assert row.delivery_status == "delivered" and row.delivery_status_at is not None

    # read follows; a late "sent" or a repeat changes nothing
    body = callback(row.provider_message_id, "read")
    assert post(body, whatsapp_signature(body)).json() == {"changed": 1}
    for late in ("sent", "delivered", "read"):
        body = callback(row.provider_message_id, late)
        assert post(body, whatsapp_signature(body)).json() == {"changed": 0}
    row.refresh_from_db()
    assert row.delivery_status == "read"


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "sha256=ünïcode", "md5=abc"])
def test_a_callback_with_a_wrong_signature_is_refused_and_changes_nothing(ref, logs, signature):
    order, row = _sent_whatsapp(ref)
    body = callback(row.provider_message_id, "failed", error=131026)

    answer = post(body, signature)

    assert answer.status_code == 403
    assert answer["Content-Type"].startswith("application/json")
    assert answer.json()["code"] == "bad_signature"
    row.refresh_from_db()
    assert (row.delivery_status, row.last_error) == ("", "")
    assert Notification.objects.get(event=row.event, channel="sms").status == "skipped"
    # a body signed for another body is refused too
    other = callback(row.provider_message_id, "read")
    assert post(body, whatsapp_signature(other)).status_code == 403


def test_a_signed_callback_that_is_not_json_is_a_400(ref, logs):
    body = b"not json"
    answer = post(body, whatsapp_signature(body))
    assert answer.status_code == 400 and answer.json()["code"] == "bad_callback"


def test_a_failed_message_falls_back_to_sms(ref, logs):
    order, row = _sent_whatsapp(ref)
    body = callback(row.provider_message_id, "failed", error=131026)

    assert post(body, whatsapp_signature(body)).json() == {"changed": 1}

    row.refresh_from_db()
    assert row.delivery_status == "failed" and row.last_error.startswith("131026")
    sms = Notification.objects.get(event=row.event, channel="sms")
    assert (sms.status, sms.recipient) == ("pending", order.recipient_phone)
    delivery_event_notify(event_id=row.event_id)
    assert [line["to"] for line in sms_for(order.code)] == [order.recipient_phone]
    # a second failed callback sends no second SMS
    assert post(body, whatsapp_signature(body)).json() == {"changed": 0}
    delivery_event_notify(event_id=row.event_id)
    assert len(sms_for(order.code)) == 1


def test_meta_verifies_the_webhook_with_the_verify_token(db, settings):
    settings.WHATSAPP_VERIFY_TOKEN = "token-entered-in-the-meta-app"
    ok = Client().get(
        WEBHOOK,
        {
            "hub.mode": "subscribe",
            "hub.verify_token": "token-entered-in-the-meta-app",
            "hub.challenge": "1158201444",
        },
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    for token in ("wrong", ""):
        refused = Client().get(
            WEBHOOK, {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1"}
        )
        assert refused.status_code == 403 and refused.json()["code"] == "bad_verify_token"
