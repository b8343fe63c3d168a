"""The pipeline benchmark: Celery tasks drive new orders from booked to delivered through the real
services, one event per order and step, as the counters and couriers would.

``drive_batch`` works as the counters do, a batch of dossiers at a time: one manifest to Imigrasi,
the printed passports marked ready together, one released batch acknowledged by Pos, the day's
handover to the delivery section on one courier's run; the courier then takes out and delivers
each passport.
``drive_order`` drives one order through the single-order steps (what a page's buttons do).
Both are safe to run twice: each step acts only on the orders still waiting for it.
"""

from celery import shared_task

from accounts.models import User
from delivery.choices import DeliveryStatus as S
from delivery.counter import handover as counter_handover
from delivery.counter import manifest as counter_manifest
from delivery.counter import ready as counter_ready
from delivery.counter.batches import batch_acknowledge, batch_release
from delivery.courier import dispatch
from delivery.handoff import transitions as t
from delivery.models import Batch, BatchItem, BatchStatus, Courier, DeliveryOrder

STEPS = ["hand_dossier", "mark_ready", "receive_at_pos", "hand_to_delivery", "dispatch", "deliver"]


_staff: dict = {}


def _people() -> tuple[dict, Courier]:
    """The demo staff who act, read once per worker process (as a clerk's session holds its user)."""
    if not _staff:
        users = {
            u.username: u
            for u in User.objects.select_related("office").filter(
                username__in=["pos.layanan", "imigrasi", "pos.antaran", "kurir"]
            )
        }
        _staff["users"] = users
        _staff["courier"] = Courier.objects.select_related("user__office").get(user=users["kurir"])
    return _staff["users"], _staff["courier"]


@shared_task(acks_late=True)
def drive_order(order_id: int) -> str:
    users, courier = _people()
    actors = {
        "hand_dossier": users["pos.layanan"],
        "mark_ready": users["imigrasi"],
        "receive_at_pos": users["pos.layanan"],
        "hand_to_delivery": users["pos.layanan"],
        "dispatch": courier.user,
        "deliver": courier.user,
    }
    status = DeliveryOrder.objects.filter(pk=order_id).values_list("status", flat=True).first()
    for action in STEPS:
        if status not in t.MOVES[action].sources:
            continue  # already past this step (a re-delivered task)
        if action == "dispatch":
            dispatch.delivery_order_assign_courier(
                order_id=order_id, courier=courier, actor=users["pos.antaran"]
            )
        status = t.ACTION_FUNCTIONS[action](order_id=order_id, actor=actors[action]).order.status
    return status


@shared_task(acks_late=True)
def drive_batch(order_ids: list[int]) -> int:
    users, courier = _people()
    service, imigrasi = users["pos.layanan"], users["imigrasi"]

    def waiting(status: str) -> list[int]:
        return list(
            DeliveryOrder.objects.filter(pk__in=order_ids, status=status)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    if booked := waiting(S.BOOKED):
        counter_manifest.manifest_hand_over(actor=service, order_ids=booked)
    if handed := waiting(S.DOSSIER_HANDED):
        # each passport with its number, as the officer types or scans it
        counter_ready.passports_mark_ready(
            actor=imigrasi, passports={order_id: f"B{order_id:07d}" for order_id in handed}
        )
    if ready := waiting(S.PASSPORT_READY):
        released = set(BatchItem.objects.filter(order_id__in=ready).values_list("order_id", flat=True))
        if fresh := [order_id for order_id in ready if order_id not in released]:
            codes = DeliveryOrder.objects.filter(pk__in=fresh).values_list("code", flat=True)
            batch_release(actor=imigrasi, codes=list(codes))
        for batch_id in (
            Batch.objects.filter(items__order_id__in=ready, status=BatchStatus.IN_HANDOVER)
            .values_list("pk", flat=True)
            .distinct()
        ):
            batch_acknowledge(actor=service, batch_id=batch_id)
    if received := waiting(S.RECEIVED_BY_POS):
        counter_handover.delivery_section_hand_over(
            actor=service, assignments=dict.fromkeys(received, courier.pk)
        )
    for order_id in waiting(S.WITH_DELIVERY_SECTION):
        t.delivery_order_dispatch(order_id=order_id, actor=courier.user)
    for order_id in waiting(S.OUT_FOR_DELIVERY):
        t.delivery_order_deliver(order_id=order_id, actor=courier.user)
    return len(waiting(S.DELIVERED))
