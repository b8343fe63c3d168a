from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.snapshots import Snapshot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


def _reference_data_load():
    from demo.seed import reference_data_load

    return reference_data_load()


# Built by the first test of this process that asks, copied back for the others (tests/snapshots.py).
REFERENCE_DATA = Snapshot(_reference_data_load)


@pytest.fixture
def ref(db):
    """The Makassar reference data: offices, areas, fee table, one user per role, couriers."""
    return REFERENCE_DATA.load()


@pytest.fixture
def tx_ref(transactional_db):
    return REFERENCE_DATA.load()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url_for_test_db() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """With the standby of scripts/test.sh (DATABASE_REPLICA_URL), the ``replica`` alias reads this
    worker's test database there. Django knows the alias as a mirror of "default" (test settings): it
    creates nothing on the standby, which receives the test database from the primary by streaming
    replication, but it would also point the mirror at the primary's server. The alias's own settings
    (the standby's host and port) are kept and only the name is changed, in place, so that other
    threads (the live server's) connect the same way."""
    from django.db import connections

    if "replica" in connections.settings:
        replica = connections.settings["replica"]
        replica["NAME"] = connections["default"].settings_dict["NAME"]
        connections["replica"].close()
        connections["replica"].settings_dict = replica
    yield


@pytest.fixture(scope="session")
def smtp_sink():
    """A real SMTP server on loopback; the messages it received are in ``sink.messages``."""
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    handler = Sink()
    handler.port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


# The session's Celery worker of this process, once a test asked for it (celery_worker_process).
SESSION_WORKERS: list[subprocess.Popen] = []


@pytest.fixture
def no_worker_runs():
    """For a test that shows a state the worker moves on from at once (a payment "in progress" before
    the payment system's answer): the Celery worker an earlier test of this process started stays
    running for the session and would take the test's task before the page shows the state. It is
    paused for the test; what the test queued is purged before it runs again, so that none of it runs
    against the next test's data."""
    paused = [proc for proc in SESSION_WORKERS if proc.poll() is None]
    for proc in paused:
        proc.send_signal(signal.SIGSTOP)
    yield
    if paused:
        from portal.celery import app

        app.control.purge()
        for proc in paused:
            proc.send_signal(signal.SIGCONT)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, smtp_sink, tmp_path_factory):
    """A real ``celery worker`` process on the test broker and the test database."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith(("memory://", "filesystem://")):
        pytest.fail("The worker tests need CELERY_BROKER_URL pointing at the test Redis (make test).")
    from portal.celery import app

    app.control.purge()
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_test_db(),
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_sink.port),
        "WEBHOOK_BACKOFF_BASE": "0.2",
        "WEBHOOK_MAX_FAILURES": "4",
    }
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"celery worker exited early:\n{log.read_text()}")
        if b"ready." in log.read_bytes():
            break
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(f"celery worker did not start:\n{log.read_text()}")
    proc.log_path = log
    SESSION_WORKERS.append(proc)
    yield proc
    SESSION_WORKERS.remove(proc)
    proc.send_signal(signal.SIGCONT)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def sms_for(code: str) -> list[dict]:
    """The short messages about order ``code`` in the SMS adapter's log file, oldest first."""
    import json

    from django.conf import settings

    path = Path(settings.SMS_LOG_FILE)
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if f"antar-paspor {code}:" in row["text"]]


def wait_for(predicate, *, timeout: float = 20, interval: float = 0.2):
    """Poll ``predicate`` until it is truthy; returns its value or fails the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s")


@pytest.fixture(scope="session", autouse=True)
def _flush_outwaits_the_worker():
    """Between live-server tests Django empties the tables (see below) while the real Celery worker
    may still be finishing a notification of the test that just ended; PostgreSQL then picks one of
    the two as a deadlock victim. The flush tries again rather than failing the next test."""
    import time as _time

    from django.core.management.commands import flush
    from django.db import OperationalError

    original = flush.Command.handle

    def handle(self, *args, **options):
        for attempt in range(5):
            try:
                return original(self, *args, **options)
            except Exception as error:  # flush wraps the database error in a CommandError
                cause = error.__cause__ or error.__context__
                if attempt == 4 or not isinstance(cause, OperationalError) or "deadlock" not in str(cause):
                    raise
                _time.sleep(0.5)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture(scope="session", autouse=True)
def _flush_deletes_the_rows():
    """The flush after a transactional test empties every table with DELETE rather than TRUNCATE.
    TRUNCATE gives each of the ~80 tables new files, about a third of a second per test; DELETE on
    tables of a few rows takes milliseconds. The tables are locked first, as TRUNCATE locks them,
    so a late write of the Celery worker is waited for and removed too; the foreign keys are all
    DEFERRABLE INITIALLY DEFERRED, so the order does not matter. Sequences are not reset either way
    (a flush that resets them, or that cascades, is left to TRUNCATE)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    operations = type(connection.ops)
    original = operations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:
            return original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        names = [self.quote_name(table) for table in tables]
        # The history of deliveries refuses DELETE (a trigger, delivery/migrations/0017); a flush
        # is the one place that empties it, so the transaction sets triggers aside, as TRUNCATE
        # would (row triggers do not fire on TRUNCATE).
        return [
            "SET LOCAL session_replication_role = replica;",
            f"LOCK TABLE {', '.join(names)} IN ACCESS EXCLUSIVE MODE;",
            " ".join(f"DELETE FROM {name};" for name in names),
        ]

    operations.sql_flush = sql_flush
    yield
    operations.sql_flush = original


# pytest-xdist workers take tests roughly in collection order: the long ones first, so that none of
# them is left running alone at the end while the other workers have nothing to do. The tests that
# stop the shared servers come before all: each runs alone (below), and at the start the other
# workers wait for it only as long as it takes, not for a long test they began first (the benchmark's
# smoke run, over a minute).
LONG_FIRST = (
    "tests/faults/test_postgres_restart.py",
    "tests/faults/test_redis_outage.py",
    "tests/bench/",
    "tests/faults/",
    "tests/delivery/test_concurrency",
    "tests/security/",
    "tests/partners/test_dashboard.py",
    "tests/browser/",
)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(
            key=lambda item: next(
                (i for i, prefix in enumerate(LONG_FIRST) if item.nodeid.startswith(prefix)), len(LONG_FIRST)
            )
        )


# --- Tests that stop the shared servers --------------------------------------------------------
# `make test` runs in several pytest-xdist workers on one PostgreSQL and one Redis. A test marked
# `servers` stops or restarts one of them, so it runs while no other test does: every test holds a
# shared lock on a file in the run's directory, a `servers` test an exclusive one (a turnstile lock
# first, so that it is not kept waiting for ever by tests that follow each other). A worker whose
# connections died with such a restart opens new ones before its next test.

_servers_restarts_seen = 0


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    run_dir = os.environ.get("TEST_TMP")
    if not run_dir or not os.environ.get("PYTEST_XDIST_WORKER"):
        return (yield)
    import fcntl

    exclusive = item.get_closest_marker("servers") is not None
    restarts = Path(run_dir) / "servers.restarts"
    with (
        open(Path(run_dir) / "servers.turnstile", "a") as turnstile,
        open(Path(run_dir) / "servers.lock", "a") as lock,
    ):
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        finally:
            fcntl.flock(turnstile, fcntl.LOCK_UN)
        try:
            _reconnect_after_a_servers_test(restarts)
            return (yield)
        finally:
            if exclusive:
                count = int(restarts.read_text() or 0) if restarts.exists() else 0
                restarts.write_text(str(count + 1))
                global _servers_restarts_seen
                _servers_restarts_seen = count + 1
            fcntl.flock(lock, fcntl.LOCK_UN)


def _reconnect_after_a_servers_test(restarts: Path) -> None:
    global _servers_restarts_seen
    count = int(restarts.read_text() or 0) if restarts.exists() else 0
    if count == _servers_restarts_seen:
        return
    _servers_restarts_seen = count
    from django.db import connections

    from core import outbox
    from portal.celery import app

    connections.close_all()
    app._pool = None
    app.amqp._producer_pool = None
    outbox.outbox_forget_connection()
    outbox._broker_down_until = 0.0


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the portal's default language (Bahasa Indonesia). A request in English,
    or a schema built in English, leaves English active in the thread after it; without this a
    service's message in a later test would depend on which tests ran before it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (tracking pages, lookup counters)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(monkeypatch):
    """``client.force_login(staff)`` gives a session that passed the second factor, as a real login
    with the code would: the user gets a confirmed TOTP device and django-otp's ``otp_login`` stores
    it in the session. Production checks stay as they are."""
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        from django.http import HttpRequest
        from django_otp import login as otp_login
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts.two_factor import second_factor_required

        original(self, user, backend)
        if second_factor_required(user):
            device = TOTPDevice.objects.filter(
                user=user, confirmed=True
            ).first() or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            request = HttpRequest()
            request.user, request.session = user, self.session
            otp_login(request, device)
            request.session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


def totp_code_for(username: str) -> str:
    """The code an authenticator app holding ``username``'s secret shows, for a time step the
    server still accepts and has not seen yet (django-otp refuses a code twice). When the test has
    used up the steps accepted now, the device's start time (``t0``) moves back by the steps needed
    instead of the test waiting for the next 30 s step: the same as time passing, for this device
    only; the server's check is unchanged."""
    from django_otp.oath import TOTP, hotp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username).order_by("-confirmed", "-pk").first()
    assert device is not None, f"{username} has no TOTP device"
    now_t = TOTP(device.bin_key, device.step, device.t0, device.digits).t() + device.drift
    # The current step, not the oldest one still accepted: on a slow machine the oldest may have
    # expired by the time the server checks it.
    t = max(now_t, device.last_t + 1)
    if t > now_t + device.tolerance:
        device.t0 -= (t - now_t) * device.step
        device.save(update_fields=["t0"])
    return f"{hotp(device.bin_key, t, device.digits):0{device.digits}d}"
