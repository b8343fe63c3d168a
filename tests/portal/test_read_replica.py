"""The read replica: reports read from the real streaming standby that scripts/test.sh starts, and a
manager reads what they just wrote from the primary even while the standby lags behind.

The standby's lag is made real and as long as a test needs: its replay of the primary's WAL is
paused (``pg_wal_replay_pause``), so a page that shows the old figures read them from the standby,
and one that shows the new ones read them from the primary. The tests that use the standby take
turns (a file lock), as pausing it holds up every reader.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.db_router import reads_from_replica, replica_state_forget, unit_of_work
from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryOrder
from delivery.money import statements as st
from ledger.models import Statement
from tests.delivery.test_statements import _day_with_money
from tests.factories import make_order

ROOT = Path(__file__).resolve().parents[2]
on_the_standby = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, "replica"])


def _replayed_to_primary(timeout: float = 30.0) -> None:
    """Wait until the standby has replayed everything the primary wrote so far."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        (lsn,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    with connections["replica"].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0", [lsn])
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, "the standby did not catch up with the primary"
            time.sleep(0.05)


@contextmanager
def _standby_lagging() -> Iterator[None]:
    """The standby stops replaying inside the block: it serves what it had when the block began."""
    _replayed_to_primary()
    try:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_pause()")
            deadline = time.monotonic() + 30
            while True:
                cursor.execute("SELECT pg_get_wal_replay_pause_state()")
                if cursor.fetchone()[0] == "paused":
                    break
                assert time.monotonic() < deadline, "the standby did not pause its replay"
                time.sleep(0.02)
        yield
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


@pytest.fixture
def standby(settings, tx_ref):
    """The reference data, with reads asked of the replica going to the standby (the test settings
    keep them on the primary for every other test)."""
    assert "replica" in django_settings.DATABASES, "scripts/test.sh starts the standby (DATABASE_REPLICA_URL)"
    settings.READ_REPLICA_ALIAS = "replica"
    replica_state_forget()
    with open(Path(os.environ.get("TEST_TMP") or tempfile.gettempdir()) / "standby.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield tx_ref
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _manager_after_a_booking(ref: dict) -> Client:
    """One order booked, and the Pos manager signed in to see the dashboard's figures."""
    make_order(ref, S.BOOKED)
    manager = Client()
    manager.force_login(ref["users"]["manajer.pos"])
    return manager


def _booked(client: Client) -> int:
    response = client.get("/api/v1/partners/dashboard/")
    assert response.status_code == 200
    return sum(year["booked"] for year in response.json()["uptake"])


@on_the_standby
def test_the_dashboard_reads_its_figures_from_the_standby(standby):
    ref = standby
    manager = _manager_after_a_booking(ref)
    _replayed_to_primary()

    # the figures' queries go to the standby, a server in recovery; the primary only answers who asks
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        assert _booked(manager) == 1
    assert len(on_replica) >= 10
    assert not [q["sql"] for q in on_primary if "delivery_deliveryevent" in q["sql"]]
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_database()")
        in_recovery, name = cursor.fetchone()
    assert in_recovery and name == connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]

    # a booking the standby has not replayed yet is not on the dashboard; once replayed, it is
    with _standby_lagging():
        make_order(ref, S.BOOKED)
        assert DeliveryOrder.objects.count() == 2
        assert _booked(manager) == 1
    _replayed_to_primary()
    assert _booked(manager) == 2


@on_the_standby
def test_a_manager_sees_their_approval_right_after_it_while_the_standby_lags(standby):
    ref = standby
    _day_with_money(ref)
    statement = st.statement_build(pos_office_id=ref["offices"]["pos"].pk, day=st.today())
    pos, imigrasi = Client(), Client()
    pos.force_login(ref["users"]["manajer.pos"])
    imigrasi.force_login(ref["users"]["manajer.imigrasi"])
    url = f"/money/statements/{statement.pk}/"
    approved = "Disetujui PT Pos, menunggu Imigrasi"
    _replayed_to_primary()
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert approved not in pos.get(url).content.decode()
    assert any("ledger_statement" in q["sql"] for q in on_replica)

    with _standby_lagging():
        # when: the Pos manager approves, and the form sends them back to the statement
        answer = pos.post(url, {"action": "approve", "agency": "pos"}, follow=True)
        # then: they see their approval, read from the primary (the browser is pinned to it)
        assert approved in answer.content.decode()
        assert "primary_pin" in pos.cookies
        assert approved in pos.get("/money/statements/").content.decode()
        # the Imigrasi manager, not pinned, reads the statement from the standby: not yet approved
        assert approved not in imigrasi.get(url).content.decode()
        assert "primary_pin" not in imigrasi.cookies
        assert Statement.objects.get(pk=statement.pk).pos_approved_at is not None
    _replayed_to_primary()
    assert approved in imigrasi.get(url).content.decode()


@on_the_standby
def test_reads_asked_of_the_replica_stay_on_the_primary_after_a_write_or_in_a_transaction(standby):
    ref = standby
    order = make_order(ref, S.BOOKED)
    _replayed_to_primary()
    with _standby_lagging():
        DeliveryOrder.objects.filter(pk=order.pk).update(recipient_phone="081299990000")
        # another request, which has not written: the standby's row, before the change
        with unit_of_work(), reads_from_replica():
            assert router.db_for_read(DeliveryOrder) == "replica"
            assert DeliveryOrder.objects.get(pk=order.pk).recipient_phone == "081234567890"
        # the request that wrote reads its own write
        with unit_of_work(), reads_from_replica():
            DeliveryOrder.objects.filter(pk=order.pk).update(recipient_phone="081288880000")
            assert router.db_for_read(DeliveryOrder) == DEFAULT_DB_ALIAS
            assert DeliveryOrder.objects.get(pk=order.pk).recipient_phone == "081288880000"
        # inside a transaction every read is the primary's
        with unit_of_work(), reads_from_replica(), transaction.atomic():
            assert router.db_for_read(DeliveryOrder) == DEFAULT_DB_ALIAS
            assert DeliveryOrder.objects.get(pk=order.pk).recipient_phone == "081288880000"
    assert router.allow_migrate("replica", "delivery") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "delivery") is True


def _routing_in_a_fresh_process(**environ: str) -> list[str]:
    """The aliases, and where a report's read, a write and a migration go, in a process started with
    the production settings' base and this environment."""
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.db import router\n"
        "from core.db_router import reads_from_replica, unit_of_work\n"
        "from ledger.models import Statement\n"
        "with unit_of_work(), reads_from_replica():\n"
        "    print(','.join(sorted(settings.DATABASES)), router.db_for_read(Statement),\n"
        "          router.db_for_write(Statement), router.allow_migrate('default', 'ledger'),\n"
        "          router.allow_migrate('replica', 'ledger'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.base", **environ)
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def test_without_a_replica_url_everything_reads_and_migrates_on_the_primary():
    assert _routing_in_a_fresh_process() == ["default", "default", "default", "True", "False"]
    # the standby of make test (its maintenance database, which it has whatever the test database)
    standby_url = os.environ["DATABASE_REPLICA_URL"].rsplit("/", 1)[0] + "/postgres"
    with_replica = _routing_in_a_fresh_process(DATABASE_REPLICA_URL=standby_url)
    assert with_replica == ["default,replica", "replica", "default", "True", "False"]
    # a replica nobody answers at: the reports read from the primary
    unreachable = _routing_in_a_fresh_process(DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:1/x")
    assert unreachable == ["default,replica", "default", "default", "True", "False"]


def _as_postgres(command: list[str]) -> None:
    subprocess.run(
        ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@contextmanager
def _standby_stopped() -> Iterator[None]:
    """The standby shut down inside the block, started again as it ran before after it."""
    pgbin, data = os.environ["PGBIN"], Path(os.environ["TEST_TMP"]) / "pg-replica"
    options = shlex.split((data / "postmaster.opts").read_text())[1:]
    _as_postgres([f"{pgbin}/pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"])
    try:
        yield
    finally:
        _as_postgres(
            [
                f"{pgbin}/pg_ctl",
                "-D",
                str(data),
                "-l",
                f"{data}/server.log",
                "-w",
                "-o",
                shlex.join(options),
                "start",
            ]
        )


@on_the_standby
def test_the_dashboard_answers_from_the_primary_while_the_standby_is_down(standby, settings):
    ref = standby
    manager = _manager_after_a_booking(ref)
    _replayed_to_primary()
    settings.READ_REPLICA_CHECK_SECONDS = 3600  # checked once, found well
    assert _booked(manager) == 1

    with _standby_stopped():
        # the standby goes down between two visits: the next one's reads fail on it and are read
        # again from the primary, and the standby is left alone after that
        make_order(ref, S.BOOKED)
        assert _booked(manager) == 2
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary:
            assert _booked(manager) == 2
        assert [q for q in on_primary if "delivery_deliveryevent" in q["sql"]]
        # checked again while it is down: still the primary, without an error
        replica_state_forget()
        settings.READ_REPLICA_CHECK_SECONDS = 0
        assert _booked(manager) == 2

    # back up: the next check finds it and the figures come from it again
    _replayed_to_primary()
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert _booked(manager) == 2
    assert len(on_replica) >= 10


@on_the_standby
def test_a_standby_too_far_behind_is_left_alone_until_it_catches_up(standby, settings):
    ref = standby
    manager = _manager_after_a_booking(ref)
    settings.READ_REPLICA_CHECK_SECONDS = 0
    settings.READ_REPLICA_MAX_LAG_SECONDS = 1
    with _standby_lagging():
        make_order(ref, S.BOOKED)
        # a moment behind: the dashboard reads the standby, one booking short
        assert _booked(manager) == 1
        # more than a second behind: the primary's figures
        time.sleep(1.5)
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            assert _booked(manager) == 2
        assert not [q for q in on_replica if "delivery_deliveryevent" in q["sql"]]
    _replayed_to_primary()
    assert _booked(manager) == 2
