"""A web process starts with what every request needs; the dashboard's drawing and spreadsheet
libraries (about 45 MB per process) load only in the process that first draws or exports."""

import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every view module, as the first request loads them
import portal.wsgi  # noqa: F401
print(",".join(sorted(m for m in ("matplotlib", "numpy", "openpyxl", "weasyprint") if m in sys.modules)))
"""


def test_a_web_process_starts_without_the_dashboards_drawing_and_spreadsheet_libraries():
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == ""
