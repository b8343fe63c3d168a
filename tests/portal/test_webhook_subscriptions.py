"""Every handoff asks which webhooks want it; the list is cached, and each change of a subscription
or of its owner is seen by the very next handoff."""

from core.models import WebhookDelivery, WebhookSubscription
from delivery.choices import DeliveryStatus as S
from delivery.handoff import transitions as t
from tests.factories import OfficeFactory, make_order


def hand_dossier(ref):
    order = make_order(ref, S.BOOKED)
    t.delivery_order_hand_dossier(order_id=order.pk, actor=ref["users"]["pos.layanan"])
    return order


def deliveries_for(order):
    """Webhooks queued for the order's dossier handoff (its booking made one more, or none)."""
    return WebhookDelivery.objects.filter(ordering_key=order.code, payload__to=S.DOSSIER_HANDED).count()


def test_the_next_handoff_sees_a_new_a_switched_off_and_a_moved_subscription(ref):
    # given a handoff made while nobody subscribed (the empty list is now cached)
    assert deliveries_for(hand_dossier(ref)) == 0

    # when a partner subscribes, the next handoff is sent to it
    owner = ref["users"]["manajer.pos"]
    subscription = WebhookSubscription.objects.create(
        owner=owner, url="http://127.0.0.1:9/hook", secret="s", events=["order.status_changed"]
    )
    assert deliveries_for(hand_dossier(ref)) == 1

    # when its owner moves to another office, handoffs of the old office are no longer sent
    owner.office = OfficeFactory()
    owner.save()
    assert deliveries_for(hand_dossier(ref)) == 0

    # when it is switched off (back in the office first), nothing is sent
    owner.office = ref["users"]["pos.layanan"].office
    owner.save()
    assert deliveries_for(hand_dossier(ref)) == 1
    subscription.active = False
    subscription.save()
    assert deliveries_for(hand_dossier(ref)) == 0
