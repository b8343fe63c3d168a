"""Settings for `make run` on a developer's or demo machine."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.env_bool("DEBUG", True)
SECRET_KEY = env.SECRET_KEY or "local-only-not-secret-antar-paspor"
if env.env_str("EMAIL_BACKEND") == "":
    # Mails from the demo land in files under var/mail, readable without a mail server.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# Fixed keys for local data only; production reads its own from the environment.
PERSONAL_DATA_KEYS = env.PERSONAL_DATA_KEYS or ["bG9jYWwtb25seS1ub3Qtc2VjcmV0LWFudGFyLXBhc3A="]
PERSONAL_DATA_HASH_KEY = env.PERSONAL_DATA_HASH_KEY or "local-only-not-secret-nik-hash"
# A fixed delivery-token signing key for local data only (not secret); production sets its own.
DELIVERY_TOKEN_SIGNING_KEY = env.DELIVERY_TOKEN_SIGNING_KEY or "Ig2NYSeC7NXpGsDJhaZUMNUg8BWI5RUz1nE28X/RSh0="
