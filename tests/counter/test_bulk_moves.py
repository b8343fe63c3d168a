"""The counters' batch steps as bulk moves: every order moves with its own event, or none does, and
the applicants of a whole batch are told by one background task, each once per channel."""

import pytest
from django.core import mail
from django.test import override_settings

from core.exceptions import InvalidTransition
from core.models import OutboxMessage
from delivery.choices import DeliveryStatus as S
from delivery.counter.handover import delivery_section_hand_over
from delivery.counter.manifest import manifest_hand_over
from delivery.handoff import events as move_events
from delivery.handoff import transitions as t
from delivery.models import DeliveryEvent, Notification
from delivery.notifications.services import delivery_events_notify
from tests.conftest import free_port, sms_for, wait_for
from tests.factories import make_order

BATCH_TASK = "delivery.tasks.notify_delivery_events"


@pytest.mark.django_db
def test_a_manifest_writes_one_event_per_dossier_and_one_notification_task_for_them_all(ref):
    orders = [make_order(ref, S.BOOKED) for _ in range(3)]
    before = OutboxMessage.objects.count()

    manifest_hand_over(actor=ref["users"]["pos.layanan"], order_ids=[o.pk for o in orders])

    events = list(DeliveryEvent.objects.filter(order__in=orders, to_status=S.DOSSIER_HANDED).order_by("pk"))
    assert [e.order_id for e in events] == [o.pk for o in orders]
    assert {(e.from_status, e.actor.username, e.actor_role) for e in events} == {
        (S.BOOKED, "pos.layanan", "pos_service_officer")
    }
    queued = list(OutboxMessage.objects.order_by("pk")[before:])
    assert [(m.task_name, m.args) for m in queued] == [(BATCH_TASK, [[e.pk for e in events]])]


@pytest.mark.django_db
def test_a_batch_step_with_one_order_not_waiting_for_it_moves_none_and_names_that_order(ref):
    received, late = make_order(ref, S.RECEIVED_BY_POS), make_order(ref, S.PASSPORT_READY)
    events = DeliveryEvent.objects.count()

    with pytest.raises(InvalidTransition) as refused:
        t.delivery_orders_move(
            "hand_to_delivery", order_ids=[received.pk, late.pk], actor=ref["users"]["pos.layanan"]
        )

    assert late.code in str(refused.value.message)
    for order, status in ((received, S.RECEIVED_BY_POS), (late, S.PASSPORT_READY)):
        order.refresh_from_db()
        assert order.status == status
    assert DeliveryEvent.objects.count() == events


@pytest.mark.django_db
def test_the_days_handover_gives_every_passport_its_delivery_code_once(ref):
    orders = [make_order(ref, S.RECEIVED_BY_POS) for _ in range(3)]
    delivery_section_hand_over(
        actor=ref["users"]["pos.layanan"], assignments={o.pk: ref["couriers"]["kurir"].pk for o in orders}
    )
    for order in orders:
        order.refresh_from_db()
        assert order.status == S.WITH_DELIVERY_SECTION and order.delivery_code.code_encrypted
        event = order.events.get(to_status=S.WITH_DELIVERY_SECTION)
        assert event.payload == {"delivery_code_issued": True}


@pytest.mark.django_db
def test_with_the_mail_server_down_the_short_messages_still_go_and_a_retry_sends_only_the_mails(ref):
    orders = [make_order(ref, S.BOOKED) for _ in range(2)]
    manifest_hand_over(actor=ref["users"]["pos.layanan"], order_ids=[o.pk for o in orders])
    ids = list(
        DeliveryEvent.objects.filter(order__in=orders, to_status=S.DOSSIER_HANDED).values_list(
            "pk", flat=True
        )
    )
    mail.outbox.clear()

    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=free_port(),
        EMAIL_TIMEOUT=2,
    ):
        with pytest.raises(OSError):
            delivery_events_notify(event_ids=ids)

    for order in orders:
        assert len([s for s in sms_for(order.code) if "Berkas diserahkan" in s["text"]]) == 1
    assert set(
        Notification.objects.filter(event_id__in=ids, channel="email").values_list("status", flat=True)
    ) == {"failed"}

    # the task's retry, with the mail server back
    assert delivery_events_notify(event_ids=ids) == dict.fromkeys(ids, "sent")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.recipient_email for o in orders)
    for order in orders:
        assert len([s for s in sms_for(order.code) if "Berkas diserahkan" in s["text"]]) == 1
    # and once more: nothing is sent twice
    delivery_events_notify(event_ids=ids)
    assert len(mail.outbox) == 2


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_every_applicant_of_a_manifest_hears_of_it_once_from_the_worker(
    tx_ref, celery_worker_process, smtp_sink
):
    orders = [make_order(tx_ref, S.BOOKED) for _ in range(3)]

    def mails(order):
        return [m for m in smtp_sink.messages if order.recipient_email in m.rcpt_tos]

    wait_for(lambda: all(mails(o) and sms_for(o.code) for o in orders), timeout=30)  # the bookings

    manifest_hand_over(actor=tx_ref["users"]["pos.layanan"], order_ids=[o.pk for o in orders])

    wait_for(lambda: all(len(mails(o)) >= 2 and len(sms_for(o.code)) >= 2 for o in orders), timeout=30)
    for order in orders:
        assert len(mails(order)) == 2 and len(sms_for(order.code)) == 2
        assert "Berkas diserahkan ke Imigrasi" in sms_for(order.code)[-1]["text"]
    # the rows are marked sent just after the channels took the messages
    wait_for(
        lambda: (
            set(
                Notification.objects.filter(
                    event__order__in=orders, event__to_status=S.DOSSIER_HANDED
                ).values_list("status", flat=True)
            )
            == {"sent"}
        )
    )


@pytest.mark.django_db
def test_a_large_batch_is_notified_in_tasks_of_a_few_dozen(ref, monkeypatch):
    orders = [make_order(ref, S.BOOKED) for _ in range(5)]
    before = OutboxMessage.objects.count()
    monkeypatch.setattr(move_events, "NOTIFY_BATCH", 2)
    manifest_hand_over(actor=ref["users"]["pos.layanan"], order_ids=[o.pk for o in orders])
    events = list(
        DeliveryEvent.objects.filter(order__in=orders, to_status=S.DOSSIER_HANDED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    queued = [m.args[0] for m in OutboxMessage.objects.order_by("pk")[before:]]
    assert queued == [events[0:2], events[2:4], events[4:5]]


@pytest.mark.django_db
def test_imigrasi_marks_a_stack_of_printed_passports_ready_at_once(ref):
    from delivery.counter.ready import passports_mark_ready

    orders = [make_order(ref, S.DOSSIER_HANDED) for _ in range(3)]
    numbers = {o.pk: f"E{1234560 + n}" for n, o in enumerate(orders)}
    assert passports_mark_ready(actor=ref["users"]["imigrasi"], passports=numbers) == 3
    for order in orders:
        order.refresh_from_db()
        assert order.status == S.PASSPORT_READY
        assert order.passport_number == numbers[order.pk]
        event = order.events.get(to_status=S.PASSPORT_READY)
        assert (event.actor, event.from_status) == (ref["users"]["imigrasi"], S.DOSSIER_HANDED)


@pytest.mark.django_db
def test_marking_ready_refuses_the_whole_stack_for_a_dossier_not_received_or_a_wrong_role(ref):
    from core.exceptions import NotAllowed, ValidationFailed
    from delivery.counter.ready import passports_mark_ready

    handed, booked = make_order(ref, S.DOSSIER_HANDED), make_order(ref, S.BOOKED)
    with pytest.raises(InvalidTransition) as refused:
        passports_mark_ready(
            actor=ref["users"]["imigrasi"], passports={handed.pk: "E1234567", booked.pk: "X1234567"}
        )
    assert booked.code in str(refused.value.message)
    with pytest.raises(NotAllowed):
        passports_mark_ready(actor=ref["users"]["pos.layanan"], passports={handed.pk: "E1234567"})
    with pytest.raises(ValidationFailed, match="sekurang-kurangnya satu paspor"):
        passports_mark_ready(actor=ref["users"]["imigrasi"], passports={})
    handed.refresh_from_db()
    assert handed.status == S.DOSSIER_HANDED and not handed.events.filter(to_status=S.PASSPORT_READY).exists()


@pytest.mark.django_db
def test_marking_ready_through_the_api_all_or_none_with_a_json_error(ref):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(ref["users"]["imigrasi"])
    first, second = make_order(ref, S.DOSSIER_HANDED), make_order(ref, S.DOSSIER_HANDED)
    booked = make_order(ref, S.BOOKED)

    numbers = {first.code: "E1234567", second.code: "X7654321", booked.code: "E1111111"}
    refused = client.post(
        "/api/v1/counter/ready/",
        {"orders": [first.code, booked.code], "passport_numbers": numbers},
        format="json",
    )
    assert refused.status_code == 409 and refused.json()["code"] == "not_handed"
    first.refresh_from_db()
    assert first.status == S.DOSSIER_HANDED

    done = client.post(
        "/api/v1/counter/ready/",
        {"orders": [first.code, second.code.lower()], "passport_numbers": numbers},
        format="json",
    )
    assert done.status_code == 200, done.content
    assert done.json() == {"marked": 2, "orders": sorted([first.code, second.code])}
    for order in (first, second):
        order.refresh_from_db()
        assert order.status == S.PASSPORT_READY
    empty = client.post("/api/v1/counter/ready/", {"orders": [], "passport_numbers": {}}, format="json")
    assert empty.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "number", ["", "E123456", "E12345678", "ABC1234567", "12345678", "E123456X", "É1234567"]
)
def test_marking_ready_refuses_a_missing_or_malformed_passport_number(ref, number):
    from core.exceptions import ValidationFailed
    from delivery.counter.ready import passports_mark_ready

    good, bad = make_order(ref, S.DOSSIER_HANDED), make_order(ref, S.DOSSIER_HANDED)
    with pytest.raises(ValidationFailed) as refused:
        passports_mark_ready(actor=ref["users"]["imigrasi"], passports={good.pk: "E1234567", bad.pk: number})
    assert bad.code in " ".join(map(str, refused.value.fields["passport_numbers"]))
    for order in (good, bad):
        order.refresh_from_db()
        assert (order.status, order.passport_number) == (S.DOSSIER_HANDED, "")


@pytest.mark.django_db
def test_a_passport_number_is_recorded_once_and_written_as_printed(ref):
    from core.exceptions import ValidationFailed
    from delivery.counter.ready import passports_mark_ready

    imigrasi = ref["users"]["imigrasi"]
    first, second, third = (make_order(ref, S.DOSSIER_HANDED) for _ in range(3))
    assert passports_mark_ready(actor=imigrasi, passports={first.pk: " x 1234567 "}) == 1
    first.refresh_from_db()
    assert first.passport_number == "X1234567"
    with pytest.raises(ValidationFailed, match="nomor paspor"):
        passports_mark_ready(actor=imigrasi, passports={second.pk: "X1234567"})
    with pytest.raises(ValidationFailed) as twice:
        passports_mark_ready(actor=imigrasi, passports={second.pk: "B7654321", third.pk: "B7654321"})
    assert "dua kali" in " ".join(map(str, twice.value.fields["passport_numbers"]))


@pytest.mark.django_db
def test_the_api_refuses_a_bad_passport_number_with_a_400_in_both_languages(ref):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(ref["users"]["imigrasi"])
    order = make_order(ref, S.DOSSIER_HANDED)
    body = {"orders": [order.code], "passport_numbers": {order.code: "E12"}}
    refused = client.post("/api/v1/counter/ready/", body, format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["code"] == "validation_failed"
    assert "huruf kapital" in str(refused.json())
    english = client.post("/api/v1/counter/ready/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400 and "capital letters" in str(english.json())
    missing = client.post("/api/v1/counter/ready/", {"orders": [order.code]}, format="json")
    assert missing.status_code == 400
    order.refresh_from_db()
    assert (order.status, order.passport_number) == (S.DOSSIER_HANDED, "")
