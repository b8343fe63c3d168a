"""Every task of the portal goes to one of the five queues (portal/settings/base.py, TASKS_BY_QUEUE),
so that the worker pool started for that queue runs it. A task without a route would wait in
Celery's default queue, which no pool takes."""

from django.conf import settings

from portal.celery import app
from tests.conftest import ROOT

QUEUES = {"handoff", "notify", "webhooks", "reports", "deadlines"}


def _queue_of(name: str) -> str:
    return app.amqp.router.route({}, name)["queue"].name


def _own_tasks() -> set[str]:
    """The registered tasks defined in the portal's own modules (Celery's built-ins left out), the
    benchmark's driver tasks included."""
    app.loader.import_default_modules()
    import bench.tasks  # noqa: F401 - registered only under the bench settings otherwise

    return {name for name, task in app.tasks.items() if (ROOT / task.__module__.split(".")[0]).is_dir()}


def test_every_task_of_the_portal_has_a_queue():
    tasks = _own_tasks()
    assert len(tasks) >= 20  # the portal's tasks were found, not only Celery's
    unrouted = {name: _queue_of(name) for name in tasks if _queue_of(name) not in QUEUES}
    assert unrouted == {}


def test_the_routes_name_only_tasks_that_exist():
    tasks = _own_tasks()
    routed = {name for names in settings.TASKS_BY_QUEUE.values() for name in names}
    assert routed - tasks == set()
    assert set(settings.TASKS_BY_QUEUE) == QUEUES


def test_beat_sends_its_sweeps_to_deadlines_and_its_reports_to_reports():
    scheduled = {entry["task"]: _queue_of(entry["task"]) for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "delivery.tasks.sweep_deadlines": "deadlines",
        "partners.tasks.remind_agreement_expiry": "deadlines",
        "portal.tasks.personal_data_retention": "deadlines",
        "portal.tasks.relay_outbox": "deadlines",
        "delivery.tasks.create_event_partitions": "deadlines",
        "partners.tasks.roll_up_figures": "reports",
        "delivery.tasks.build_statements": "reports",
    }


def test_partner_systems_have_a_queue_of_their_own_apart_from_every_message():
    assert _queue_of("portal.tasks.deliver_webhook") == "webhooks"
    on_webhooks = {name for name in _own_tasks() if _queue_of(name) == "webhooks"}
    assert on_webhooks == {"portal.tasks.deliver_webhook"}
    for name in ("delivery.tasks.notify_delivery_event", "partners.tasks.send_complaint_reply"):
        assert _queue_of(name) == "notify"


def test_production_has_a_worker_pool_for_each_queue():
    unit = (ROOT / "deploy/systemd/antar-paspor-worker@.service").read_text()
    assert " worker -Q %i " in unit
    for queue in QUEUES:
        options = (ROOT / f"deploy/systemd/worker-{queue}.env").read_text()
        assert "WORKER_OPTIONS=--concurrency=" in options, queue


def test_make_run_starts_one_worker_that_takes_every_queue():
    lines = (ROOT / "scripts/run.sh").read_text().splitlines()
    workers = [line for line in lines if "celery -A portal worker" in line and not line.startswith("#")]
    assert len(workers) == 1 and " -Q" not in workers[0]
    # a worker started without -Q consumes from every queue the settings declare
    assert set(app.amqp.queues.consume_from) == QUEUES
