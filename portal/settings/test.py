"""Settings for `make test`: the database and broker come from the environment the runner sets."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-only-not-secret"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env.env_str("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Fixed keys for test data only; production reads its own from the environment.
PERSONAL_DATA_KEYS = env.PERSONAL_DATA_KEYS or ["dGVzdC1vbmx5LW5vdC1zZWNyZXQtYW50YXItcGFzcG8="]
PERSONAL_DATA_HASH_KEY = env.PERSONAL_DATA_HASH_KEY or "test-only-not-secret-nik-hash"
