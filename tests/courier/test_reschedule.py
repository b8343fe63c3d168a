"""After a failed attempt the applicant picks another day or address; once per attempt."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from core.exceptions import InvalidTransition, NotAllowed, ValidationFailed
from delivery.booking.reschedule import delivery_order_reschedule
from delivery.choices import DeliveryStatus as S
from delivery.handoff import codes
from delivery.models import DeliveryEvent, RescheduleRequest
from delivery.notifications.services import delivery_event_notify
from tests.factories import make_order, personal_link_in


def test_the_failed_attempt_mail_links_to_the_form(ref):
    order = make_order(ref, S.FAILED_ATTEMPT)
    event = DeliveryEvent.objects.get(order=order, to_status=S.FAILED_ATTEMPT)
    delivery_event_notify(event_id=event.pk)
    personal_link_in(mail.outbox[-1].body, order)


def test_a_new_day_and_address_replace_the_previous_request(ref):
    order = make_order(ref, S.FAILED_ATTEMPT)
    owner = order.application.applicant.user
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    delivery_order_reschedule(order_id=order.pk, actor=owner, preferred_date=tomorrow)
    delivery_order_reschedule(
        order_id=order.pk,
        actor=owner,
        preferred_date=tomorrow + dt.timedelta(days=1),
        new_address="Jl. Sultan Alauddin No. 5, Makassar",
    )

    requests = RescheduleRequest.objects.filter(order=order)
    assert requests.count() == 1
    assert requests.get().preferred_date == tomorrow + dt.timedelta(days=1)
    order.refresh_from_db()
    assert order.address == "Jl. Sultan Alauddin No. 5, Makassar"
    assert order.status == S.FAILED_ATTEMPT  # no state change: the courier takes it out again


def test_a_day_in_the_past_or_someone_else_or_the_wrong_state_is_refused(ref):
    order = make_order(ref, S.FAILED_ATTEMPT)
    owner = order.application.applicant.user
    with pytest.raises(ValidationFailed):
        delivery_order_reschedule(
            order_id=order.pk, actor=owner, preferred_date=timezone.localdate() - dt.timedelta(days=1)
        )
    with pytest.raises(NotAllowed):
        delivery_order_reschedule(
            order_id=order.pk, actor=ref["users"]["pemohon"], preferred_date=timezone.localdate()
        )
    delivered = make_order(ref, S.DELIVERED)
    with pytest.raises(InvalidTransition):
        delivery_order_reschedule(
            order_id=delivered.pk,
            actor=delivered.application.applicant.user,
            preferred_date=timezone.localdate(),
        )
    assert not RescheduleRequest.objects.exists()


def test_the_courier_run_shows_the_applicants_choice(client, ref):
    order = make_order(ref, S.FAILED_ATTEMPT)
    delivery_order_reschedule(
        order_id=order.pk,
        actor=order.application.applicant.user,
        preferred_date=timezone.localdate() + dt.timedelta(days=2),
    )
    client.force_login(ref["users"]["kurir"])
    page = client.get("/courier/").content.decode()
    assert "Pemohon meminta hari" in page
    assert (timezone.localdate() + dt.timedelta(days=2)).strftime("%d-%m-%Y") in page
    assert codes.delivery_code_reveal(order_id=order.pk) not in page
