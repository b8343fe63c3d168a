import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from core.db_router import replica_alias, unit_of_work, unit_wrote

logger = logging.getLogger(__name__)

GetResponse = Callable[[HttpRequest], HttpResponseBase]


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind ``PROXY_COUNT`` trusted proxies the address the
    outermost of them saw (the right-most hops of X-Forwarded-For are the ones our proxies wrote)."""
    count = settings.PROXY_COUNT
    if count:
        hops: list[str] = [
            h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()
        ]
        if len(hops) >= count:
            return hops[-count]
    remote: str = request.META.get("REMOTE_ADDR", "")
    return remote


class DefaultLanguageMiddleware:
    """Bahasa Indonesia unless the user chose English with the switch.

    Django would otherwise follow the browser's Accept-Language; a public service in Makassar speaks
    Indonesian first, so on pages only the explicit choice (the language cookie) counts. Machines
    calling the API choose with Accept-Language.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


# Pages: scripts and styles only from our own origin, no inline code, no framing, no plugins.
CSP_DEFAULT = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; manifest-src 'self'; worker-src 'self'"
)


class ContentSecurityPolicyMiddleware:
    """Sends ``Content-Security-Policy`` on every response that does not set its own."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CSP_DEFAULT
        return response


class BodySizeLimitMiddleware:
    """Refuse an oversized request body with 413 and a clear message before anything reads it.

    Form and JSON bodies may be at most ``DATA_UPLOAD_MAX_MEMORY_SIZE``; multipart uploads (the
    agreements' PDF attachments) at most ``UPLOAD_MAX_BYTES``. API callers get the usual JSON error
    shape, people a short page. A body sent without a length is still stopped by Django's own
    limit when read (``core.api`` turns that into the same 413).
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = settings.UPLOAD_MAX_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            return too_large_response(request, limit)
        return self.get_response(request)


def too_large_message(limit: int) -> str:
    return _("The request is too large: at most %(size)s MB may be sent at once.") % {
        "size": f"{limit / (1024 * 1024):g}"
    }


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    message = too_large_message(limit)
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "request_too_large", "message": message, "fields": {}}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class PrimaryAfterWriteMiddleware:
    """One unit of work per request for the read replica's router (``core.db_router``).

    Reads a view asks of the replica go to the primary once the request has written. After a request
    that wrote, a cookie pins the browser to the primary for ``READ_REPLICA_PIN_SECONDS``, so the page
    a form redirects to shows what the form saved even while the replica is a moment behind. The
    cookie holds no data: a client that keeps or forges it only reads from the primary.
    """

    COOKIE = "primary_pin"

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if replica_alias() == DEFAULT_DB_ALIAS:
            return self.get_response(request)
        with unit_of_work(wrote=self.COOKIE in request.COOKIES):
            response = self.get_response(request)
            wrote = unit_wrote()
        if wrote:
            response.set_cookie(
                self.COOKIE,
                "1",
                max_age=settings.READ_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
