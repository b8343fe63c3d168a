"""Real processes for the fault tests: Celery workers and the outbox relay on a Redis database of
their own (so the session's worker does not take their tasks), a slow SMTP sink, and switches that
stop and start the throwaway Redis and PostgreSQL that ``scripts/test.sh`` started."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, _database_url_for_test_db, free_port, wait_for

# The fault tests' broker: the Redis database three after this test process's broker (each
# pytest-xdist worker has four of its own, portal/settings/test.py).
FAULT_REDIS_DB_AFTER_BROKER = 3


def _need(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the fault tests with scripts/test.sh (make test).")
    return value


@pytest.fixture
def fault_broker(settings):
    """Point this process's Celery app at the fault tests' own Redis database, emptied first."""
    from core import outbox
    from portal.celery import app

    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.fail("The fault tests need CELERY_BROKER_URL pointing at the test Redis (make test).")
    server, broker_db = settings.CELERY_BROKER_URL.rsplit("/", 1)
    url = f"{server}/{int(broker_db) + FAULT_REDIS_DB_AFTER_BROKER}"
    original = app.conf.get("broker_write_url")

    def switch(to: str | None) -> None:
        app.conf.broker_write_url = to  # what producers use; CELERY_BROKER_URL in the env wins otherwise
        app._pool = None
        app.amqp._producer_pool = None
        outbox.outbox_forget_connection()

    switch(url)
    app.control.purge()
    outbox._broker_down_until = 0.0
    yield url
    switch(original)
    outbox._broker_down_until = 0.0


class Processes:
    """Starts worker and relay processes and stops exactly those."""

    def __init__(self, broker_url: str, smtp_port: int, tmp: Path):
        self.broker_url, self.smtp_port, self.tmp = broker_url, smtp_port, tmp
        self.started: list[subprocess.Popen] = []

    def env(self, **extra) -> dict:
        return {
            **os.environ,
            "DATABASE_URL": _database_url_for_test_db(),
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "CELERY_BROKER_URL": self.broker_url,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp_port),
            "CELERY_VISIBILITY_TIMEOUT": "2",
            "OUTBOX_REDELIVER_AFTER": "4",
            "PYTHONPATH": str(ROOT),
            **extra,
        }

    def worker(self, name: str, *, queues: str = "", **env: str) -> subprocess.Popen:
        """A worker for ``queues`` (comma-separated; all of them when empty), with ``env`` added to
        its environment."""
        log = self.tmp / f"{name}.log"
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
                    "-n",
                    f"{name}@%h",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    *(["-Q", queues] if queues else []),
                ],
                cwd=ROOT,
                env=self.env(**env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        proc.log_path = log
        self.started.append(proc)
        wait_for(lambda: proc.poll() is not None or b"ready." in log.read_bytes(), timeout=30, interval=0.1)
        assert proc.poll() is None, log.read_text()
        return proc

    def relay(self) -> subprocess.Popen:
        log = self.tmp / "relay.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "manage.py", "relay_outbox", "--loop", "--interval", "0.3"],
                cwd=ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        proc.log_path = log
        self.started.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.started:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def slow_smtp():
    """An SMTP server that, while ``slow`` is set (or once it accepted ``hold_from`` messages in
    all), holds every message at MAIL FROM (before it could accept anything), so a worker can be
    killed in the middle of sending. Messages it accepted are in ``messages``."""
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages = []
            self.slow = False
            self.hold_from: int | None = None
            self.held = 0

        def holding(self) -> bool:
            return self.slow or (self.hold_from is not None and len(self.messages) >= self.hold_from)

        async def handle_MAIL(self, server, session, envelope, address, mail_options):
            while self.holding():
                self.held += 1
                await asyncio.sleep(0.1)
            envelope.mail_from = address
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope.content.decode("utf-8", "replace"))
            return "250 OK"

    sink = Sink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    sink.slow, sink.hold_from = False, None
    controller.stop()


@pytest.fixture
def processes(fault_broker, slow_smtp, tmp_path):
    procs = Processes(fault_broker, slow_smtp.port, tmp_path)
    yield procs
    procs.stop_all()


def redis_port() -> int:
    from django.conf import settings

    return int(settings.CELERY_BROKER_URL.split(":")[2].split("/")[0])


def redis_stop() -> None:
    pidfile = Path(_need("TEST_TMP")) / "redis.pid"
    pid = int(pidfile.read_text().strip())
    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not _alive(pid), timeout=10, interval=0.05)


def redis_start() -> None:
    tmp = Path(_need("TEST_TMP"))
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--port",
            str(redis_port()),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--databases",
            "64",
            "--pidfile",
            str(tmp / "redis.pid"),
            "--logfile",
            str(tmp / "redis.log"),
            "--dir",
            str(tmp),
        ],
        check=True,
    )
    import redis

    client = redis.Redis(port=redis_port(), socket_connect_timeout=0.5)
    wait_for(lambda: _ping(client), timeout=10, interval=0.05)


def _ping(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001 - not up yet
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def postgres_restart() -> None:
    pgbin, pgdata = _need("PGBIN"), Path(_need("TEST_TMP")) / "pg"
    subprocess.run(
        [
            "su",
            "postgres",
            "-s",
            "/bin/sh",
            "-c",
            f"'{pgbin}/pg_ctl' -D '{pgdata}' -l '{pgdata}/server.log' -m fast -w restart",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def duplicates_and_lost(expected: list, received: list) -> tuple[int, int]:
    """How many expected items never arrived and how many arrived more than once."""
    lost = sum(1 for item in set(expected) if received.count(item) == 0)
    duplicated = sum(received.count(item) - 1 for item in set(received) if received.count(item) > 1)
    return lost, duplicated
