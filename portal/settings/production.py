"""Settings for a production host: PostgreSQL, Redis, real SMTP, HTTPS in front (nginx, see deploy/).

``manage.py check --deploy`` passes with no warnings (tests/security/test_production.py runs it).
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env

if not env.SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production")
if not env.PERSONAL_DATA_KEYS or not env.PERSONAL_DATA_HASH_KEY:
    raise ImproperlyConfigured("PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY must be set in production")
if not env.DELIVERY_TOKEN_SIGNING_KEY:
    raise ImproperlyConfigured("DELIVERY_TOKEN_SIGNING_KEY must be set in production")
DEBUG = False
# No sandbox secret in production: without Meta's app secret every WhatsApp status callback is refused.
WHATSAPP_APP_SECRET = env.WHATSAPP_APP_SECRET
WHATSAPP_VERIFY_TOKEN = env.WHATSAPP_VERIFY_TOKEN

# HTTPS only: redirect, HSTS for a year (subdomains, preload), cookies only over TLS.
SECURE_SSL_REDIRECT = env.env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in env.ALLOWED_HOSTS if host and not host.startswith(".")]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
USE_X_FORWARDED_HOST = False

# Static files by WhiteNoise from the collected, hashed and compressed copies (collectstatic).
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
assert "whitenoise.middleware.WhiteNoiseMiddleware" in MIDDLEWARE
# Uploads (signatures, photos, agreement PDFs) are never served by a public URL: nginx has no
# /media/ location, and Django answers them only through views that check who asks. The body
# limits (DATA_UPLOAD_MAX_MEMORY_SIZE, UPLOAD_MAX_BYTES) are base.py's, the same as in development.
