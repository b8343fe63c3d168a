from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class DefaultLanguageMiddleware:
    """Bahasa Indonesia unless the user chose English with the switch.

    Django would otherwise follow the browser's Accept-Language; a public service in Makassar speaks
    Indonesian first, so on pages only the explicit choice (the language cookie) counts. Machines
    calling the API choose with Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class BodySizeLimitMiddleware:
    """Refuse an oversized request body with 413 and a clear message before anything reads it.

    Form and JSON bodies may be at most ``DATA_UPLOAD_MAX_MEMORY_SIZE``; multipart uploads (the
    agreements' PDF attachments) at most ``UPLOAD_MAX_BYTES``. API callers get the usual JSON error
    shape, people a short page. A body sent without a length is still stopped by Django's own
    limit when read (``portal.api`` turns that into the same 413).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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


def too_large_response(request, limit: int):
    message = too_large_message(limit)
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "request_too_large", "message": message, "fields": {}}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
