"""The production settings pass Django's deployment checklist and send the security headers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "x7!kq2#p9v$Lm4@zR8wN1^cT6&bY3*hJ5(eF0)gD-uS+aQ=iO_lK~jH",
    "ALLOWED_HOSTS": "antar-paspor.imigrasi-makassar.go.id",
    "PERSONAL_DATA_KEYS": "cHJvZC1saWtlLXRlc3Qta2V5LW9mLWFudGFyLXBhc3A=",
    "PERSONAL_DATA_HASH_KEY": "prod-like-test-hash-key",
    "DELIVERY_TOKEN_SIGNING_KEY": "Uk7+qvqMcnO5DvEj85+eV4VgmJr8casc7i2XIsRiLxw=",
    "EMAIL_HOST": "smtp.example.test",
}


def _manage(*args: str, extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(PRODUCTION_ENV)
    env.update(extra or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_without_a_warning():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_keys():
    result = _manage("check", extra={"PERSONAL_DATA_KEYS": ""})
    assert result.returncode != 0 and "PERSONAL_DATA_KEYS" in result.stderr


def test_production_answers_with_hsts_and_csp_over_https(tmp_path):
    collected = _manage("collectstatic", "--noinput", "-v0", extra={"PORTAL_VAR_DIR": str(tmp_path)})
    assert collected.returncode == 0, collected.stderr
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/login/', secure=True, HTTP_HOST='antar-paspor.imigrasi-makassar.go.id');"
        "print(r.status_code); [print(h, r.get(h)) for h in ('Strict-Transport-Security',"
        " 'Content-Security-Policy', 'X-Frame-Options', 'Referrer-Policy', 'X-Content-Type-Options')];"
        "r = Client().get('/login/', HTTP_HOST='antar-paspor.imigrasi-makassar.go.id');"
        "print('plain', r.status_code, r.get('Location'))"
    )
    env = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(PRODUCTION_ENV)
    env["PORTAL_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Strict-Transport-Security max-age=31536000; includeSubDomains; preload" in out
    assert "Content-Security-Policy default-src 'self'; script-src 'self';" in out
    assert "X-Frame-Options DENY" in out and "Referrer-Policy same-origin" in out
    assert "X-Content-Type-Options nosniff" in out
    assert "plain 301 https://antar-paspor.imigrasi-makassar.go.id/login/" in out


pytestmark = pytest.mark.filterwarnings("ignore")
