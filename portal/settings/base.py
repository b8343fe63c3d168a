"""Settings shared by every environment; environment values come from ``portal.env`` only."""

from __future__ import annotations

import datetime

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from portal import env

BASE_DIR = env.BASE_DIR
VAR_DIR = env.VAR_DIR

SECRET_KEY = env.SECRET_KEY
DEBUG = env.DEBUG
ALLOWED_HOSTS = env.ALLOWED_HOSTS

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "core",
    "organisations",
    "accounts",
    "ledger",
    "passports",
    "delivery",
    "complaints",
    "partners",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.BodySizeLimitMiddleware",  # before anything reads the body (CSRF, forms)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    # Inside the others: only what the view writes keeps its reads on the primary (core/db_router.py).
    "core.middleware.PrimaryAfterWriteMiddleware",
    # Last, as django-axes asks: it turns a lock-out into the login page's message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_url(url: str) -> dj_database_url.DBConfig:
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


DATABASES = {"default": database_from_url(env.DATABASE_URL)}
# The read replica (core/db_router.py): reports read from it when it is set, everything else and
# every write go to the primary. Migrations never run on it.
if env.DATABASE_REPLICA_URL:
    DATABASES["replica"] = database_from_url(env.DATABASE_REPLICA_URL)
    # A replica that does not answer is given up on quickly: the reports read from the primary.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
READ_REPLICA_ALIAS = "replica" if env.DATABASE_REPLICA_URL else ""
# The replica is checked before the first read asked of it and this often after; further behind the
# primary than READ_REPLICA_MAX_LAG_SECONDS (or unreachable), reports read from the primary.
READ_REPLICA_CHECK_SECONDS = 5
READ_REPLICA_MAX_LAG_SECONDS = 30
# After a request that wrote, the browser reads from the primary for this long (the replica's lag is
# normally under a second).
READ_REPLICA_PIN_SECONDS = 15
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username and address
    "accounts.authentication.OfficeModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Staff passwords guard personal data of applicants: ten characters at least (for everyone).
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Log-in throttling (django-axes): this many failures for one username from one address lock that
# pair out for the cool-off; a success resets the count.
AXES_FAILURE_LIMIT = env.AXES_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
AXES_VERBOSE = False
# Behind nginx the client address is the X-Forwarded-For hop the proxy added (see deploy/nginx);
# PROXY_COUNT=1 there, so one locked-out user does not lock out everyone behind the proxy.
AXES_CLIENT_IP_CALLABLE = "core.middleware.client_ip"
PROXY_COUNT = env.PROXY_COUNT

# Second factor (django-otp TOTP) for staff; the issuer names the portal in authenticator apps.
OTP_TOTP_ISSUER = "antar-paspor"
# Idle sessions end: staff after 30 minutes, couriers after a 10-hour shift (the offline queue of the
# courier app syncs after long gaps), applicants and travel agencies after 8 hours.
STAFF_IDLE_TIMEOUT = env.STAFF_IDLE_MINUTES * 60
APPLICANT_IDLE_TIMEOUT = env.APPLICANT_IDLE_MINUTES * 60
COURIER_IDLE_TIMEOUT = env.COURIER_IDLE_MINUTES * 60

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Makassar"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

EMAIL_BACKEND = env.EMAIL_BACKEND
EMAIL_HOST = env.EMAIL_HOST
EMAIL_PORT = env.EMAIL_PORT
EMAIL_HOST_USER = env.EMAIL_HOST_USER
EMAIL_HOST_PASSWORD = env.EMAIL_HOST_PASSWORD
EMAIL_USE_TLS = env.EMAIL_USE_TLS
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.DEFAULT_FROM_EMAIL

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.authentication.TokenScopePermission",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.openapi.PortalAutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "antar-paspor API",
    "DESCRIPTION": "The delivery-passport service of Kantor Imigrasi Makassar and PT Pos Indonesia.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # One name for a choice set used by several fields (consent's giver, an obligation's party, ...).
    "ENUM_NAME_OVERRIDES": {"PartyEnum": "partners.choices.Party"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.add_examples",
    ],
}

# Celery: the broker defaults to kombu's filesystem transport so `make run` needs no server.
CELERY_BROKER_URL = env.CELERY_BROKER_URL
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, str | int | bool] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        # The exchange tables; kombu's default is ./control, beside the code.
        "control_folder": str(_broker_dir / "control"),
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A task taken by a worker that dies unacknowledged goes back to the queue after this long.
        # Longer than the longest countdown (webhook backoff, at most an hour) plus a task's time
        # limit, or a delayed task would be handed out twice.
        "visibility_timeout": env.CELERY_VISIBILITY_TIMEOUT,
        # Never let a dead or hung Redis block a request for long (the outbox keeps the work).
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
        "retry_on_timeout": True,
    }
CELERY_RESULT_BACKEND = env.CELERY_RESULT_BACKEND or None
# Acknowledge after the task ran, and put it back if its worker dies: a task killed half-way runs
# again (every task is idempotent). One task at a time per worker process, so a long task does not
# hold others hostage.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fix-up closes the database connection before and after every task unless told to
# reuse it; each task then paid for a new PostgreSQL connection (a backend forked, its caches
# warmed), more than most of our tasks cost. Kept instead, and checked at each task's start like a
# web request's (portal.celery); the fix-up closes it only every 2 x this many tasks.
CELERY_DB_REUSE_MAX = 10_000
# Reconnect to the broker for ever, at start-up too, instead of exiting when Redis restarts.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# The outbox (core/outbox.py) publishes a task again when it was sent this many seconds ago and
# has not run: the broker lost it (a Redis restart without persistence) or no worker was there.
OUTBOX_REDELIVER_AFTER = env.OUTBOX_REDELIVER_AFTER
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "deadline-sweep": {"task": "delivery.tasks.sweep_deadlines", "schedule": 300.0},
    "agreement-expiry": {"task": "partners.tasks.remind_agreement_expiry", "schedule": 86400.0},
    "figures-roll-up": {"task": "partners.tasks.roll_up_figures", "schedule": 300.0},
    "outbox-relay": {"task": "portal.tasks.relay_outbox", "schedule": 60.0},
    "personal-data-retention": {"task": "portal.tasks.personal_data_retention", "schedule": 86400.0},
    # The event table's monthly partitions, three months ahead (PostgreSQL; nothing to do on SQLite).
    "event-partitions": {"task": "delivery.tasks.create_event_partitions", "schedule": 86400.0},
    # The daily statements, at the end of the working day (CELERY_TIMEZONE is WITA); the task skips
    # weekends and holidays.
    "daily-statements": {"task": "delivery.tasks.build_statements", "schedule": crontab(hour=20, minute=0)},
}
# One queue per kind of work, each with a worker pool of its own in production
# (deploy/systemd/antar-paspor-worker@.service), so that one kind never waits behind another: a
# partner system that answers slowly holds up the webhooks pool only, never an applicant's mail.
# A worker started without -Q (`make run`, the tests) takes all five.
TASKS_BY_QUEUE: dict[str, tuple[str, ...]] = {
    # follow-ups of moves: the payment gateway's answers (a booking, an address change's fee difference)
    "handoff": (
        "delivery.tasks.settle_online_booking",
        "delivery.tasks.settle_fee_difference",
        "passports.tasks.settle_payment_request",
        "bench.tasks.drive_batch",  # the benchmark's counters and couriers (bench settings only)
        "bench.tasks.drive_order",
    ),
    # the applicant's and the staff's messages: mail, SMS, WhatsApp
    "notify": (
        "delivery.tasks.notify_delivery_event",
        "delivery.tasks.notify_delivery_events",
        "delivery.tasks.notify_code_refused",
        "delivery.tasks.notify_pickup_chosen",
        "delivery.tasks.notify_problem",
        "delivery.tasks.notify_lost_passport",
        "delivery.tasks.mail_online_booking_documents",
        "delivery.tasks.send_manage_code",
        "delivery.tasks.send_manage_link",
        "delivery.tasks.whatsapp_sandbox_statuses",
        "partners.tasks.send_complaint_receipt",
        "partners.tasks.send_complaint_reply",
    ),
    # partner systems, each call waiting up to WEBHOOK_TIMEOUT on the receiver
    "webhooks": ("portal.tasks.deliver_webhook",),
    # exports, the dashboard's roll-ups, the daily statements
    "reports": (
        "partners.tasks.roll_up_figures",
        "delivery.tasks.build_statements",
    ),
    # beat's sweeps: deadlines, agreement reminders, personal-data retention, the outbox's second
    # line, the event table's coming months
    "deadlines": (
        "delivery.tasks.sweep_deadlines",
        "delivery.tasks.create_event_partitions",
        "partners.tasks.remind_agreement_expiry",
        "portal.tasks.personal_data_retention",
        "portal.tasks.relay_outbox",
    ),
}
CELERY_TASK_QUEUES = [Queue(name, Exchange(name, type="direct"), routing_key=name) for name in TASKS_BY_QUEUE]
# Each worker says which queues it takes this often; /healthz reports a queue no worker has named in
# three beats as without a worker (core/health.py).
QUEUE_HEARTBEAT_SECONDS = env.QUEUE_HEARTBEAT_SECONDS
# By task name, so beat's schedule and the outbox's rows (which carry names) are routed too.
CELERY_TASK_ROUTES = {task: {"queue": queue} for queue, tasks in TASKS_BY_QUEUE.items() for task in tasks}

# The handoff clock: "3 days" in the SOP, "three working days" elsewhere in the study.
DELIVERY_DEADLINE_DAYS_KIND = env.DEADLINE_DAYS_KIND  # "calendar" or "working"
DELIVERY_HOLIDAYS = env.HOLIDAYS  # ISO dates, e.g. 2026-12-25
DELIVERY_STEP5_DAYS = 3
DELIVERY_STEP7_DAYS = 1
# How long a Pos branch keeps a passport for the applicant to collect (days as above).
DELIVERY_PICKUP_HOLD_DAYS = 7
DELIVERY_WINDOW_DAYS_AHEAD = 10  # working days offered from an area's first delivery day

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

PUBLIC_BASE_URL = env.PUBLIC_BASE_URL
IMIGRASI_MINISTRY_NAME = env.IMIGRASI_MINISTRY_NAME
DASHBOARD_PLOT_CACHE_SECONDS = 24 * 3600  # a plot is cached under a hash of what it shows
# Request bodies larger than this are refused with 413 before anything reads them
# (core.middleware.BodySizeLimitMiddleware); the same in every environment. Images travel as
# base64 inside JSON, 4/3 of their size: the largest legitimate body is a complaint filed over the
# API with its photo (COMPLAINT_PHOTO_MAX_BYTES, 5 MB: 6.7 MB as base64) and its text; the courier's
# update (photo 2 MB and signature 300 KB: 3.1 MB) and the booking's signature are smaller. Multipart
# uploads (the agreements' PDFs, at most 10 MB) have their own limit, as nginx has (12m).
DATA_UPLOAD_MAX_MEMORY_SIZE = 7 * 1024 * 1024
UPLOAD_MAX_BYTES = 12 * 1024 * 1024
MPN_GATEWAY = "passports.gateways.SandboxMpnGateway"

# Webhooks to partner systems: exponential backoff from this many seconds, switched off after
# this many failures in a row.
WEBHOOK_BACKOFF_BASE = env.WEBHOOK_BACKOFF_BASE
WEBHOOK_MAX_FAILURES = env.WEBHOOK_MAX_FAILURES
WEBHOOK_TIMEOUT = env.WEBHOOK_TIMEOUT  # seconds a receiver has to answer one call


def cache_from_urls(cache_url: str, broker_url: str) -> dict[str, object]:
    """Redis when there is one (a cache shared by web and worker processes), else files under var/."""
    url = cache_url or (broker_url.rsplit("/", 1)[0] + "/1" if broker_url.startswith("redis://") else "")
    if url.startswith("redis://"):
        # A Redis outage must not break a booking or a courier update: the cache answers "miss"
        # while Redis is away (core.cache), and never waits long for it.
        return {
            "BACKEND": "core.cache.ForgivingRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "antar",
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    return {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
        "TIMEOUT": 300,
    }


CACHES = {"default": cache_from_urls(env.CACHE_URL, env.CELERY_BROKER_URL)}
# Sessions are kept in the database and read through the cache: every signed-in request (a courier's
# update, a clerk's page) reads its session from Redis instead of PostgreSQL. While Redis is away the
# cache misses and the session is read from the database as before.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Public lookups (tracking, booking, complaint links; core.lookups): failed lookups per client
# address and per code tried before either must wait, and for how long (the pages say 15 minutes).
LOOKUP_MAX_FAILURES = 10
LOOKUP_MAX_FAILURES_PER_CODE = 10
LOOKUP_FAILURE_WINDOW = 15 * 60
TRACKING_PAGE_CACHE_SECONDS = 300
# A lookup that matches answers with a signed link to the order's page, valid this long (30 minutes).
TRACKING_LINK_SECONDS = 30 * 60
# The applicant's personal link in every message (``delivery.manage.links``): valid 30 days, the
# whole delivery. Before a change through it, a one-time code of 6 digits sent to the phone or mail
# on file: valid 10 minutes, 5 wrong tries, a new one at most every minute and 5 an hour. A "manage
# my delivery" session lasts 30 minutes.
MANAGE_LINK_SECONDS = 30 * 24 * 3600
MANAGE_CODE_SECONDS = 10 * 60
MANAGE_CODE_MAX_ATTEMPTS = 5
MANAGE_CODE_RESEND_SECONDS = 60
MANAGE_CODES_PER_HOUR = 5
MANAGE_SESSION_SECONDS = 30 * 60
# An expired link's page sends a fresh link to the phone on file, at most once in 10 minutes.
MANAGE_LINK_RESEND_SECONDS = 10 * 60
# Courier app: failed attempts before the passport goes back to the office, proof-of-delivery limits.
DELIVERY_MAX_FAILED_ATTEMPTS = env.DELIVERY_MAX_FAILED_ATTEMPTS
COURIER_PHOTO_MAX_BYTES = 2 * 1024 * 1024
COURIER_SIGNATURE_MAX_BYTES = 300 * 1024
# Pixels an image may have (core.images), checked from its header before anything decodes it:
# a signature pad is at most 2000 px wide (POA_SIGNATURE_MAX_SIDE) and short; a photo as a
# 50-megapixel phone camera takes it (8160 x 6120; the courier app shrinks its photos to 1280 px).
# Both stay under Pillow's own limit (Image.MAX_IMAGE_PIXELS, 89 million), which is left alone.
SIGNATURE_MAX_PIXELS = 2000 * 2000
PHOTO_MAX_PIXELS = 50_000_000
COURIER_CLOCK_TOLERANCE_SECONDS = 300
# Wrong delivery codes the server accepts per order before the dispatcher must unlock it.
DELIVERY_CODE_MAX_ATTEMPTS = 5
# An order whose state has not changed for this long goes on the problems queue.
DELIVERY_STALLED_HOURS = 48

# SMS / WhatsApp to applicants: the default backend appends each message to a log file under var/;
# a real gateway is another class with the same ``send(to=, text=)`` method.
SMS_BACKEND = env.SMS_BACKEND
SMS_LOG_FILE = env.SMS_LOG_FILE
# WhatsApp (delivery/notifications/whatsapp.py): the sandbox outside production, with its own app
# secret so that its signed status callbacks pass the same check as Meta's.
WHATSAPP_BACKEND = env.WHATSAPP_BACKEND
WHATSAPP_TOKEN = env.WHATSAPP_TOKEN
WHATSAPP_PHONE_NUMBER_ID = env.WHATSAPP_PHONE_NUMBER_ID
WHATSAPP_APP_SECRET = env.WHATSAPP_APP_SECRET or "sandbox-whatsapp-app-secret"
WHATSAPP_VERIFY_TOKEN = env.WHATSAPP_VERIFY_TOKEN or "sandbox-whatsapp-verify-token"
WHATSAPP_LOG_FILE = env.WHATSAPP_LOG_FILE
WHATSAPP_SANDBOX_NO_WHATSAPP_SUFFIX = env.WHATSAPP_SANDBOX_NO_WHATSAPP_SUFFIX

# Online booking: the Pos officer the applicant's power of attorney names, and the signature limits.
POA_GRANTEE_NAME = env.POA_GRANTEE_NAME
POA_GRANTEE_NIPPOS = env.POA_GRANTEE_NIPPOS
POA_SIGNATURE_MAX_BYTES = 200 * 1024
POA_SIGNATURE_MAX_SIDE = 2000

# Complaints: the first response is due within this many hours; photos at most this large.
COMPLAINT_FIRST_RESPONSE_HOURS = 24
COMPLAINT_PHOTO_MAX_BYTES = 5 * 1024 * 1024
COMPLAINT_TEXT_MAX_CHARS = 4000
# Personal data: NIK encrypted at rest (core/crypto.py); closed orders anonymised after this many days.
PERSONAL_DATA_KEYS = env.PERSONAL_DATA_KEYS
PERSONAL_DATA_HASH_KEY = env.PERSONAL_DATA_HASH_KEY
PERSONAL_DATA_RETENTION_DAYS = env.PERSONAL_DATA_RETENTION_DAYS
# The signed delivery token's Ed25519 key (base64 of the raw 32-byte private key) and the public keys
# of the keys it replaced; production must set the key (production.py refuses to start without it).
DELIVERY_TOKEN_SIGNING_KEY = env.DELIVERY_TOKEN_SIGNING_KEY
DELIVERY_TOKEN_OLD_PUBLIC_KEYS = env.DELIVERY_TOKEN_OLD_PUBLIC_KEYS
