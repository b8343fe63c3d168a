"""A code the server refuses is an alarm: on both agencies' problems queue, the applicant told at once
by mail and short message, the attempt counted, nothing of the delivery written."""

from __future__ import annotations

import logging

import pytest
from django.core import mail

from core.exceptions import ValidationFailed
from core.models import OutboxMessage
from delivery.choices import DeliveryStatus as S
from delivery.handoff import codes
from delivery.models import DeliveryCode, DeliveryCodeAttempt, ProblemKind, ProofOfDelivery
from delivery.notifications.services import code_refused_notify, code_refused_sms_text
from delivery.problems.selectors import problems_queue
from tests.conftest import sms_for
from tests.courier.helpers import courier_client, image_data_url, post
from tests.courier.test_proof import deliver
from tests.factories import make_order

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def _wrong(order) -> str:
    """A code with a right check digit that is not the order's: what only the server can refuse."""
    right = codes.delivery_code_reveal(order_id=order.pk)
    body = f"{(int(right[:5]) + 1) % 10**5:05d}"
    return body + codes.damm_check_digit(body)


def test_a_wrong_code_goes_to_both_agencies_and_the_applicant_is_told(ref, caplog):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    events = order.events.count()
    wrong = _wrong(order)
    caplog.set_level(logging.INFO)

    with pytest.raises(ValidationFailed) as refused:
        deliver(order, order.courier.user, code=wrong)

    # the delivery is refused and nothing of it is written
    assert refused.value.code == "wrong_code"
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY and order.events.count() == events
    assert not ProofOfDelivery.objects.filter(order=order).exists()
    assert DeliveryCode.objects.get(order=order).used_at is None
    # the attempt is counted
    attempt = DeliveryCodeAttempt.objects.get(order=order)
    assert attempt.failed_attempts == 1 == DeliveryCode.objects.get(order=order).failed_attempts
    # the order is on the problems queue of both agencies' supervisors
    for manager in ("manajer.pos", "manajer.imigrasi"):
        queue = problems_queue(ref["users"][manager])
        assert queue.filter(order=order, kind=ProblemKind.CODE_REFUSED).count() == 1
    # the applicant's messages are waiting in the outbox for after commit
    assert OutboxMessage.objects.filter(
        task_name="delivery.tasks.notify_code_refused", args=[attempt.pk]
    ).exists()

    mail.outbox.clear()
    assert code_refused_notify(attempt_id=attempt.pk) == "sent"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [order.recipient_email]
    assert "kode pengantaran yang salah" in mail.outbox[0].body
    texts = [row["text"] for row in sms_for(order.code)]
    assert texts and "kode pengantaran yang salah" in texts[-1]
    # neither the code nor personal details in the log
    logged = caplog.text
    for secret in (
        wrong,
        codes.delivery_code_reveal(order_id=order.pk),
        order.recipient_email,
        order.recipient_phone,
    ):
        assert secret not in logged


def test_the_short_message_fits_one_gsm7_part(ref):
    from django.utils import translation

    order = make_order(ref, S.OUT_FOR_DELIVERY)
    for language in ("id", "en"):
        with translation.override(language):
            text = code_refused_sms_text(order)
        assert len(text) <= 160 and set(text) <= GSM7, text


@pytest.mark.parametrize("offline", [False, True])
def test_a_wrong_code_through_the_api_online_or_from_the_queue_is_an_alarm(ref, offline):
    import datetime as dt

    from django.utils import timezone

    order = make_order(ref, S.OUT_FOR_DELIVERY)
    body = {
        "receiver_kind": "applicant",
        "id_type": "ktp",
        "id_last_four": "0001",
        "code": _wrong(order),
        "signature": image_data_url(),
    }
    if offline:  # sent later from the phone's queue, with the time it was made
        body["device_time"] = (timezone.now() - dt.timedelta(minutes=2)).isoformat()
    response = post(courier_client(order.courier.user), order.code, "deliver", body)
    assert response.status_code == 400 and response.json()["code"] == "wrong_code"
    assert order.problems.filter(kind=ProblemKind.CODE_REFUSED).count() == 1
