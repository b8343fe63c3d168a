"""The one place that reads the process environment.

Every setting that can change between a laptop, CI and production is read here, with its default,
so the README can list them all from one file.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
# A streaming read replica of DATABASE_URL for reports (core/db_router.py); empty: none.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 1025)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "antar-paspor <no-reply@antar-paspor.local>")
DEADLINE_DAYS_KIND = env_str("DEADLINE_DAYS_KIND", "calendar")
HOLIDAYS = env_list("HOLIDAYS", "")
PORT = env_int("PORT", 8000)
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", f"http://127.0.0.1:{PORT}")
# The ministry Imigrasi belongs to, as printed on every letter and receipt (Imigrasi moved from the
# Ministry of Law and Human Rights to the Ministry of Immigration and Corrections in October 2024).
IMIGRASI_MINISTRY_NAME = env_str("IMIGRASI_MINISTRY_NAME", "KEMENTERIAN IMIGRASI DAN PEMASYARAKATAN RI")
WEBHOOK_BACKOFF_BASE = float(env_str("WEBHOOK_BACKOFF_BASE", "2"))
WEBHOOK_MAX_FAILURES = env_int("WEBHOOK_MAX_FAILURES", 8)
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 5)
QUEUE_HEARTBEAT_SECONDS = env_int("QUEUE_HEARTBEAT_SECONDS", 15)
CACHE_URL = env_str("CACHE_URL", "")
DELIVERY_MAX_FAILED_ATTEMPTS = env_int("DELIVERY_MAX_FAILED_ATTEMPTS", 2)
SMS_BACKEND = env_str("SMS_BACKEND", "delivery.notifications.sms.LogFileSmsBackend")
SMS_LOG_FILE = env_str("SMS_LOG_FILE", str(VAR_DIR / "sms.log"))
# WhatsApp Business Cloud API (delivery/notifications/whatsapp.py). Outside production the sandbox
# backend writes the messages to WHATSAPP_LOG_FILE and posts the status callbacks itself, signed with
# the sandbox app secret; production sets the backend, the access token, the phone number id and
# Meta's app secret (which signs X-Hub-Signature-256 of each status callback).
WHATSAPP_BACKEND = env_str("WHATSAPP_BACKEND", "delivery.notifications.whatsapp.SandboxWhatsAppBackend")
WHATSAPP_TOKEN = env_str("WHATSAPP_TOKEN", "")
WHATSAPP_PHONE_NUMBER_ID = env_str("WHATSAPP_PHONE_NUMBER_ID", "sandbox-phone-number-id")
WHATSAPP_APP_SECRET = env_str("WHATSAPP_APP_SECRET", "")
WHATSAPP_VERIFY_TOKEN = env_str("WHATSAPP_VERIFY_TOKEN", "")
WHATSAPP_LOG_FILE = env_str("WHATSAPP_LOG_FILE", str(VAR_DIR / "whatsapp.log"))
# Sandbox only: numbers ending in this have no WhatsApp (their messages fail with error 131026).
WHATSAPP_SANDBOX_NO_WHATSAPP_SUFFIX = env_str("WHATSAPP_SANDBOX_NO_WHATSAPP_SUFFIX", "0000")
POA_GRANTEE_NAME = env_str("POA_GRANTEE_NAME", "Sri Wahyuni")
POA_GRANTEE_NIPPOS = env_str("POA_GRANTEE_NIPPOS", "995100100")
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 7200)
OUTBOX_REDELIVER_AFTER = env_int("OUTBOX_REDELIVER_AFTER", 900)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
PROXY_COUNT = env_int("PROXY_COUNT", 0)
STAFF_IDLE_MINUTES = env_int("STAFF_IDLE_MINUTES", 30)
APPLICANT_IDLE_MINUTES = env_int("APPLICANT_IDLE_MINUTES", 480)
COURIER_IDLE_MINUTES = env_int("COURIER_IDLE_MINUTES", 600)
# Personal data at rest (core/crypto.py): Fernet keys, the first encrypts; the look-up hash key.
PERSONAL_DATA_KEYS = env_list("PERSONAL_DATA_KEYS", "")
PERSONAL_DATA_HASH_KEY = env_str("PERSONAL_DATA_HASH_KEY", "")
PERSONAL_DATA_RETENTION_DAYS = env_int("PERSONAL_DATA_RETENTION_DAYS", 365)
# The signed delivery token (delivery/handoff/tokens.py): the Ed25519 private key that signs it, the
# raw 32 bytes in base64; never derived from SECRET_KEY. During a key rotation the public keys (raw
# 32 bytes, base64) of the keys before it, so that tokens signed the same day still verify.
DELIVERY_TOKEN_SIGNING_KEY = env_str("DELIVERY_TOKEN_SIGNING_KEY", "")
DELIVERY_TOKEN_OLD_PUBLIC_KEYS = env_list("DELIVERY_TOKEN_OLD_PUBLIC_KEYS", "")
