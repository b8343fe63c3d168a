"""The event history in one partition per month on PostgreSQL: an existing database converts with
every event, beat creates the coming months, every partition refuses changes, references to events
are checked, and a closed month leaves for the archive only when nothing still open needs it."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from delivery.choices import DeliveryStatus as S
from delivery.handoff import transitions as t
from delivery.handoff.history import events_chain_verify, triggers_present
from delivery.handoff.partitions import (
    event_partitions,
    event_partitions_create,
    month_add,
    month_of,
    partition_name,
)
from delivery.models import DeliveryEvent, DeliveryEventPersonal, Notification, ProofOfDelivery
from delivery.tasks import create_event_partitions
from tests.factories import make_order
from tests.old_database import old_database

MIGRATION = "0036_event_history_partitioned"


def _rows(sql: str, *params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _refused(sql: str, *params) -> str:
    with pytest.raises(DatabaseError) as refusal, transaction.atomic():
        _rows(sql, *params)
    return str(refusal.value)


def _table_of(event_id: int) -> str:
    return _rows("SELECT tableoid::regclass::text FROM delivery_deliveryevent WHERE id = %s", event_id)[0][0]


def _months_ago(count: int, day: int = 10) -> dt.datetime:
    """Noon, local time, on ``day`` of the month ``count`` months before this one."""
    month = month_add(month_of(timezone.now()), -count)
    return timezone.make_aware(dt.datetime(month.year, month.month, day, 12, 0))


def _attached() -> set[str]:
    return set(event_partitions())


def _proof(order, event) -> ProofOfDelivery:
    return ProofOfDelivery.objects.create(
        order=order,
        event=event,
        receiver_kind="self",
        receiver_name="Andi",
        signature="proof/signatures/a.png",
    )


@pytest.mark.django_db(transaction=True)
def test_a_database_with_events_converts_to_monthly_partitions_with_every_event_and_reference():
    from demo.seed import reference_data_load

    loader = MigrationLoader(None, ignore_no_migrations=True)
    before_this = [
        dep for dep in loader.get_migration("delivery", MIGRATION).dependencies if dep[0] == "delivery"
    ]
    others = [leaf for leaf in loader.graph.leaf_nodes() if leaf[0] != "delivery"]
    with old_database(others + before_this) as old:
        assert not _rows("SELECT 1 FROM pg_partitioned_table")
        ref = reference_data_load()
        # given: an order delivered three months ago, one that failed last month, one booked today
        delivered = make_order(ref, S.DELIVERED, at=_months_ago(3))
        failed = make_order(ref, S.FAILED_ATTEMPT, at=_months_ago(1))
        booked = make_order(ref, S.BOOKED)
        handed_over = delivered.events.get(to_status=S.DELIVERED)
        proof = _proof(delivered, handed_over)
        notification = Notification.objects.create(event=handed_over, channel="email", recipient="a@b.id")
        failure = failed.events.get(to_status=S.FAILED_ATTEMPT)
        DeliveryEventPersonal.objects.create(event=failure, location="-5.1,119.4", details={"note": "pagar"})
        fields = ("pk", "order_id", "to_status", "occurred_at", "chain_hash")
        events = list(DeliveryEvent.objects.order_by("pk").values_list(*fields))

        # when
        old.migrate_to_the_end()

        # then: every event, with its id, in the partition of its month
        assert list(DeliveryEvent.objects.order_by("pk").values_list(*fields)) == events
        assert _rows(
            "SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'delivery_deliveryevent'::regclass"
        )
        attached = _attached()
        current = month_of(timezone.now())
        assert {partition_name(month_add(current, n)) for n in range(-3, 4)} | {
            "delivery_deliveryevent_default"
        } <= attached
        assert _table_of(handed_over.pk) == partition_name(month_of(handed_over.occurred_at))
        assert _table_of(failure.pk) == partition_name(month_of(failure.occurred_at))
        assert _rows("SELECT count(*) FROM delivery_deliveryevent_default") == [(0,)]
        # the history still refuses changes, on the table and on each month
        assert "append-only: UPDATE refused" in _refused(
            "UPDATE delivery_deliveryevent SET to_status = 'cancelled' WHERE id = %s", handed_over.pk
        )
        assert "append-only: DELETE refused" in _refused(
            f"DELETE FROM {partition_name(month_of(failure.occurred_at))} WHERE id = %s", failure.pk
        )
        assert triggers_present() and events_chain_verify().intact
        # the references still resolve, and one to no event is refused
        assert ProofOfDelivery.objects.get(pk=proof.pk).event == handed_over
        assert Notification.objects.get(pk=notification.pk).event == handed_over
        assert DeliveryEventPersonal.objects.get(event=failure).details == {"note": "pagar"}
        missing = events[-1][0] + 1000
        with pytest.raises(IntegrityError):
            Notification.objects.create(event_id=missing, channel="sms")
        # the next event follows the highest id
        moved = t.delivery_order_hand_dossier(order_id=booked.pk, actor=ref["users"]["pos.layanan"])
        assert moved.event.pk > events[-1][0]
        assert _table_of(moved.event.pk) == partition_name(current)


@pytest.mark.django_db
def test_beat_creates_this_month_and_the_next_three_once(ref):
    current = month_of(timezone.now())
    assert {partition_name(month_add(current, n)) for n in range(4)} <= _attached()
    assert create_event_partitions() == 0

    later = timezone.now() + dt.timedelta(days=200)
    created = event_partitions_create(now=later)
    assert created == [partition_name(month_add(month_of(later), n)) for n in range(4)]
    assert event_partitions_create(now=later) == []


@pytest.mark.django_db
def test_an_event_without_its_month_waits_in_the_default_partition_and_moves_into_the_month(ref):
    # given: an order of five months ago, before any partition of that month
    order = make_order(ref, S.DELIVERED, at=_months_ago(5))
    ids = list(order.events.order_by("pk").values_list("pk", flat=True))
    assert {_table_of(pk) for pk in ids} == {"delivery_deliveryevent_default"}

    # when
    event_partitions_create(now=_months_ago(5))

    # then
    assert {_table_of(pk) for pk in ids} == {partition_name(month_add(month_of(timezone.now()), -5))}
    assert list(order.events.order_by("pk").values_list("pk", flat=True)) == ids
    assert "append-only" in _refused("DELETE FROM delivery_deliveryevent WHERE id = %s", ids[0])
    assert triggers_present() and events_chain_verify().intact


@pytest.mark.django_db
def test_a_partition_whose_trigger_is_switched_off_counts_as_unguarded(ref):
    name = partition_name(month_add(month_of(timezone.now()), 1))
    assert triggers_present()
    _rows(f"ALTER TABLE {name} DISABLE TRIGGER delivery_event_no_delete")
    assert not triggers_present()


@pytest.mark.django_db
def test_a_reference_to_an_event_that_does_not_exist_is_refused(ref):
    order = make_order(ref, S.DELIVERED)
    event = order.events.get(to_status=S.DELIVERED)
    missing = DeliveryEvent.objects.order_by("-pk").first().pk + 1000
    _rows("SET CONSTRAINTS ALL IMMEDIATE")  # checked at the statement, not at the commit
    for write in (
        lambda: Notification.objects.create(event_id=missing, channel="email"),
        lambda: DeliveryEventPersonal.objects.create(event_id=missing, location="x"),
        lambda: _proof(order, DeliveryEvent(pk=missing)),
        lambda: Notification.objects.filter(
            pk=Notification.objects.create(event=event, channel="sms").pk
        ).update(event_id=missing),
    ):
        with pytest.raises(IntegrityError, match="delivery event"), transaction.atomic():
            write()
    # a reference to a real event is taken
    assert _proof(order, event).event == event


@pytest.mark.django_db
def test_a_closed_month_is_detached_for_the_archive_and_still_refuses_changes(ref, capsys):
    # given: the months from five months ago, one order delivered then, one delivered this month
    event_partitions_create(now=_months_ago(5))
    month = month_add(month_of(timezone.now()), -5)
    old = make_order(ref, S.DELIVERED, at=_months_ago(5))
    recent = make_order(ref, S.DELIVERED)
    _rows("SET CONSTRAINTS ALL IMMEDIATE")  # this test's writes are checked now, not after the detach
    Notification.objects.create(event=old.events.last(), channel="email")
    old_ids = list(old.events.values_list("pk", flat=True))

    # when
    call_command("detach_event_partition", f"{month:%Y-%m}")

    # then
    out = capsys.readouterr().out
    name = partition_name(month)
    assert f"Detached {name}: {len(old_ids)} events of {month:%Y-%m}" in out
    assert f"pg_dump --format=custom --table=public.{name}" in out
    assert "1 notifications, 0 proofs of delivery and 0 personal details" in out
    assert name not in _attached()
    assert not DeliveryEvent.objects.filter(pk__in=old_ids).exists()
    assert _rows(f"SELECT count(*) FROM {name}") == [(len(old_ids),)]
    assert "append-only: UPDATE refused" in _refused(
        f"UPDATE {name} SET location = 'x' WHERE id = %s", old_ids[0]
    )
    assert recent.events.count() == len(old_ids)
    assert triggers_present() and events_chain_verify().intact


@pytest.mark.django_db
def test_the_current_month_a_future_one_and_months_still_needed_stay(ref):
    current = month_of(timezone.now())
    event_partitions_create(now=_months_ago(5))
    five, four = month_add(current, -5), month_add(current, -4)

    def refusal(month: dt.date) -> str:
        with pytest.raises(CommandError) as refused:
            call_command("detach_event_partition", f"{month:%Y-%m}")
        return str(refused.value)

    assert "current month or a future one" in refusal(current)
    assert "current month or a future one" in refusal(month_add(current, 2))
    assert "No partition of" in refusal(month_add(current, -9))
    assert "detach the oldest month first" in refusal(four)
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("detach_event_partition", "2026-13")

    # an order of that month still on its way
    open_order = make_order(ref, S.FAILED_ATTEMPT, at=_months_ago(5))
    assert "1 order(s) with events in" in refusal(five) and "not ended" in refusal(five)
    t.delivery_order_cancel_delivery(
        order_id=open_order.pk, actor=ref["users"]["pos.antaran"], reason="pindah"
    )
    # ended, but with its last move in this month: its history would be cut in two
    assert "have events in a later month" in refusal(five)
    assert month_add(current, -5) == five and partition_name(five) in _attached()
