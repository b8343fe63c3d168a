"""`make bench` in its smoke mode: the whole benchmark on tiny data, so it cannot rot."""

import json
import subprocess
import sys

from tests.conftest import ROOT

KEYS = [
    "tracking_ratio",
    "tracking_p99_ms",
    "tracking_read_ratio",
    "tracking_p99_at_rate_ms",
    "update_ratio",
    "update_writes_ratio",
    "update_p99_at_rate_ms",
    "pipeline_20k_s",
    "dashboard_ms",
    "dashboard_queries",
    "dashboard_office_ms",
    "courier_page_kb",
    "courier_page_ms",
    "web_rss_mb",
    "worker_rss_mb",
    "pipeline_two_pools_20k_s",
]


def test_the_benchmark_runs_end_to_end_and_writes_every_figure(tmp_path):
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "bench/run.py", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    results = json.loads(out.read_text())
    assert [key for key in KEYS if key not in results] == []
    assert [key for key in KEYS if not results[key] > 0] == [], results
    details = results["details"]
    # Every load run answered without errors; the pipeline delivered every order and then every
    # applicant was told of every step.
    assert details["tracking"]["errors"] == 0 and details["bare"]["errors"] == 0
    assert details["updates"]["errors"] == 0
    # and so did the fair ceilings and their sides: the tracking read and the bare writes, and the
    # runs at a fixed rate, which sent every request they were due to send
    for side in ("tracking_read", "tracking_fresh", "update_writes", "updates_own"):
        assert details[side]["requests"] > 0 and details[side]["errors"] == 0, (side, details[side])
    assert details["tracking_at_rate"]["requests"] == 100 and details["tracking_at_rate"]["errors"] == 0
    assert details["updates_at_rate"]["requests"] == 30 and details["updates_at_rate"]["errors"] == 0
    assert details["pipeline"]["wall_s"] > 0
    # the orders are spread over every office of the data file, the busy office carrying the most
    seed = details["seed"]
    assert seed["offices"] > 100 and 0.1 < seed["busiest_office_share"] < seed["top_10_offices_share"] < 1
    assert details["pipeline"]["all_notified_s"] >= details["pipeline"]["wall_s"]
    # The same pipeline on two worker pools (handoff, and the other queues) gets just as far.
    assert details["pipeline_two_pools"]["all_notified_s"] >= details["pipeline_two_pools"]["wall_s"] > 0
    for key in KEYS:
        assert key in run.stdout  # the printed table
