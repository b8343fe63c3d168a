"""An order's history cannot be rewritten quietly: the database refuses to change or remove an
event whoever asks, each event is chained to the one before it, and retention takes only what is
personal, from beside the events."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from delivery.choices import DeliveryStatus as S
from delivery.handoff import transitions as t
from delivery.handoff.history import event_digest, events_chain_verify
from delivery.models import DeliveryEvent, DeliveryEventPersonal
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def _raw(sql: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _refused(sql: str, *params) -> str:
    with pytest.raises(DatabaseError) as refusal, transaction.atomic():
        _raw(sql, *params)
    return str(refusal.value)


def test_the_database_refuses_to_update_or_delete_an_event_however_it_is_asked(ref):
    order = make_order(ref, S.DELIVERED)
    event = order.events.get(to_status=S.DELIVERED)
    count = order.events.count()

    assert "append-only: UPDATE refused" in _refused(
        "UPDATE delivery_deliveryevent SET to_status = %s WHERE id = %s", S.FAILED_ATTEMPT, event.pk
    )
    assert "append-only: DELETE refused" in _refused(
        "DELETE FROM delivery_deliveryevent WHERE id = %s", event.pk
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        DeliveryEvent.objects.filter(order=order).update(location="elsewhere")

    assert order.events.get(pk=event.pk).to_status == S.DELIVERED
    assert order.events.count() == count


def test_each_event_is_chained_to_the_one_before_it_of_the_same_order(ref):
    first = make_order(ref, S.RECEIVED_BY_POS)
    other = make_order(ref, S.PASSPORT_READY)

    events = list(first.events.order_by("pk"))
    assert [e.to_status for e in events][-1] == S.RECEIVED_BY_POS
    previous = ""
    for event in events:
        assert event.chain_hash == event_digest(event, previous)
        previous = event.chain_hash
    # another order's chain starts afresh
    assert other.events.order_by("pk").first().chain_hash == event_digest(
        other.events.order_by("pk").first(), ""
    )

    report = events_chain_verify()
    assert report.intact
    assert (report.orders, report.events) == (2, len(events) + other.events.count())


def _with_triggers_off(sql: str, *params) -> None:
    """An intruder with the database owner's rights: triggers switched off for one statement."""
    with transaction.atomic():
        _raw("SET LOCAL session_replication_role = replica")
        _raw(sql, *params)


def test_the_verifier_finds_an_event_edited_with_the_triggers_switched_off(ref, capsys):
    make_order(ref, S.DELIVERED)
    victim = make_order(ref, S.FAILED_ATTEMPT)
    failed = victim.events.get(to_status=S.FAILED_ATTEMPT)
    call_command("verify_event_chains")
    assert "Every chain is intact." in capsys.readouterr().out

    # The failed attempt rewritten as a delivery, as someone covering a lost passport might.
    _with_triggers_off(
        "UPDATE delivery_deliveryevent SET to_status = %s WHERE id = %s", S.DELIVERED, failed.pk
    )

    with pytest.raises(SystemExit) as exit_code:
        call_command("verify_event_chains")
    assert exit_code.value.code == 1
    out = capsys.readouterr()
    assert f"First break: order {victim.code}: event {failed.pk} " in out.err
    report = events_chain_verify()
    assert report.first_break is not None and report.first_break.event_id == failed.pk


def test_the_verifier_finds_a_removed_event_and_checks_one_day(ref, capsys):
    victim = make_order(ref, S.OUT_FOR_DELIVERY)
    handed = victim.events.get(to_status=S.WITH_DELIVERY_SECTION)
    _with_triggers_off("DELETE FROM delivery_deliveryevent WHERE id = %s", handed.pk)

    report = events_chain_verify(day=timezone.localdate(handed.occurred_at))
    after = victim.events.get(to_status=S.OUT_FOR_DELIVERY)
    assert report.first_break is not None
    assert (report.first_break.order_code, report.first_break.event_id) == (victim.code, after.pk)
    # a day with no events checks nothing and finds nothing
    assert events_chain_verify(day=dt.date(2001, 1, 1)).events == 0


@pytest.mark.django_db(transaction=True)
def test_the_verifier_says_when_the_triggers_are_gone(tx_ref, capsys):
    make_order(tx_ref, S.BOOKED)
    _raw("ALTER TABLE delivery_deliveryevent DISABLE TRIGGER delivery_event_no_update")
    try:
        with pytest.raises(SystemExit):
            call_command("verify_event_chains")
        assert "triggers are missing or disabled" in capsys.readouterr().err
    finally:
        _raw("ALTER TABLE delivery_deliveryevent ENABLE TRIGGER delivery_event_no_update")
    assert events_chain_verify().intact


def test_personal_details_of_a_move_live_beside_the_event(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    result = t.delivery_order_fail_attempt(
        order_id=order.pk,
        actor=order.courier.user,
        reason="other",
        note="Pagar terkunci, anjing galak",
        location="-5.1,119.4",
    )
    assert result.event.payload == {"reason": "other"}
    assert result.event.location == order.courier.user.office.name
    personal = DeliveryEventPersonal.objects.get(event=result.event)
    assert (personal.location, personal.details) == ("-5.1,119.4", {"note": "Pagar terkunci, anjing galak"})
    assert events_chain_verify().intact


@pytest.mark.django_db(transaction=True)
def test_a_database_with_events_from_before_the_chain_migrates_forward(tx_ref):
    order = make_order(tx_ref, S.FAILED_ATTEMPT)
    t.delivery_order_return_to_pos(order_id=order.pk, actor=tx_ref["users"]["pos.layanan"])
    failed = order.events.get(to_status=S.FAILED_ATTEMPT)
    DeliveryEventPersonal.objects.filter(event=failed).delete()
    DeliveryEventPersonal.objects.create(
        event=failed, location="-5.2,119.5", details={"note": "Tidak ada orang"}
    )
    before = list(order.events.order_by("pk").values_list("pk", "to_status", "occurred_at"))

    executor = MigrationExecutor(connection)
    executor.migrate([("delivery", "0016_state_events_and_problem_status")])
    with connection.cursor() as cursor:  # as the old schema kept it: personal details inside the event
        cursor.execute("SELECT location, payload FROM delivery_deliveryevent WHERE id = %s", [failed.pk])
        location, payload = cursor.fetchone()
        assert location == "-5.2,119.5" and "Tidak ada orang" in str(payload)
        cursor.execute(
            "UPDATE delivery_deliveryevent SET location = 'Kantor Pos' WHERE id = %s", [before[0][0]]
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(order.events.order_by("pk").values_list("pk", "to_status", "occurred_at")) == before
    failed = DeliveryEvent.objects.get(pk=failed.pk)
    assert failed.payload == {"reason": "not_at_home"}
    assert failed.location == tx_ref["couriers"]["kurir"].user.office.name
    assert (failed.personal.location, failed.personal.details) == ("-5.2,119.5", {"note": "Tidak ada orang"})
    # a place that was not the event's office is kept as personal, the office name takes its place
    first = DeliveryEvent.objects.get(pk=before[0][0])
    assert (first.personal.location, first.location) == ("Kantor Pos", first.office.name)
    report = events_chain_verify()
    assert report.intact and report.events == len(before)
    assert "append-only" in _refused("DELETE FROM delivery_deliveryevent WHERE id = %s", failed.pk)
