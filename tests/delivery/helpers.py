"""Racing processes for the concurrency tests."""

from __future__ import annotations

import subprocess
import time

import pytest


def start_together(procs: list[subprocess.Popen]) -> None:
    """Once every racing process has imported Django and connected (it prints "ready"), hands them
    all one start time just ahead on their standard input."""
    for proc in procs:
        if proc.stdout.readline().strip() != "ready":
            pytest.fail(f"a racing process did not start:\n{proc.communicate()[1]}")
    start_at = time.time() + 0.05
    for proc in procs:
        proc.stdin.write(f"{start_at}\n")
        proc.stdin.flush()  # communicate() closes it
