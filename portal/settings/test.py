"""Settings for `make test`: the database and broker come from the environment the runner sets.

`make test` runs the suite in several pytest-xdist worker processes at once ("gw0", "gw1", ...).
pytest-django gives each its own test database; here each also gets Redis databases of its own
(broker, cache, and the fault tests' broker: four from 4 x (n + 1)) and its own var directory (SMS
log, media). They are written to the environment before the base settings read it: Celery takes
CELERY_BROKER_URL from the environment before its configuration, and the Celery workers and other
processes a test starts inherit it. Those processes do not derive again (PORTAL_TEST_WORKER).
"""

import os

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("PORTAL_TEST_WORKER") != _worker:
    os.environ["PORTAL_TEST_WORKER"] = _worker
    _broker = os.environ.get("CELERY_BROKER_URL", "")
    if _broker.startswith("redis://"):
        _first_db = 4 * (int(_worker.removeprefix("gw")) + 1)
        _server = _broker.rsplit("/", 1)[0]
        os.environ["CELERY_BROKER_URL"] = f"{_server}/{_first_db}"
        os.environ["CACHE_URL"] = f"{_server}/{_first_db + 1}"
    _var = os.environ.get("PORTAL_VAR_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "var")
    os.environ["PORTAL_VAR_DIR"] = os.path.join(os.path.abspath(_var), _worker)

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

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
# A fixed delivery-token signing key for tests only (not secret).
DELIVERY_TOKEN_SIGNING_KEY = env.DELIVERY_TOKEN_SIGNING_KEY or "3oBoQRgJ3w8w4p0sRVSiKgYCKzJaRJj7WiRDqfBdy0k="
# scripts/test.sh migrates one database before pytest starts: each worker's test database is then
# created as a copy of it (CREATE DATABASE ... TEMPLATE) and its migrations find nothing to do.
if env.env_str("TEST_DATABASE_TEMPLATE"):
    DATABASES["default"]["TEST"] = {"TEMPLATE": env.env_str("TEST_DATABASE_TEMPLATE")}  # noqa: F405
# scripts/test.sh starts a streaming standby of its PostgreSQL (DATABASE_REPLICA_URL). Django creates
# and empties no test database on it (a mirror of "default"); tests/conftest.py then points the alias
# at the standby's copy of the test database. Reads go to it only in the tests that switch it on
# (READ_REPLICA_ALIAS, tests/portal/test_read_replica.py): the others read right after writing
# from another connection, which a standby may not have replayed yet.
if "replica" in DATABASES:  # noqa: F405
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # noqa: F405
READ_REPLICA_ALIAS = ""
