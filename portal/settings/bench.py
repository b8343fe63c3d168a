"""The benchmark's production-like stack: production settings on plain HTTP on loopback, plus the
bench app (a bare view to compare against, and the pipeline driver task). Static files are collected
and compressed as in production (the benchmark runs ``collectstatic`` before starting gunicorn)."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("PERSONAL_DATA_KEYS", "YmVuY2gtb25seS1ub3Qtc2VjcmV0LWFudGFyLXBhc3A=")
os.environ.setdefault("PERSONAL_DATA_HASH_KEY", "bench-only-not-secret")
os.environ.setdefault("DELIVERY_TOKEN_SIGNING_KEY", "Uk7+qvqMcnO5DvEj85+eV4VgmJr8casc7i2XIsRiLxw=")

from .production import *  # noqa: E402,F403
from .production import INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
