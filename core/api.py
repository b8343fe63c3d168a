"""One JSON shape for every API error: {"code", "message", "fields"}."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import DomainError


class ErrorSerializer(serializers.Serializer[Any]):
    """The body of every 4xx answer (``Error`` in the API schema; core.openapi lists it for each
    status an operation can answer)."""

    code = serializers.CharField()
    message = serializers.CharField()
    # The body's key is "fields"; DRF moves declared fields aside, so Serializer.fields is not shadowed.
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]  # see above


def api_errors(*statuses: int) -> dict[int, type[ErrorSerializer]]:
    """The ``responses`` entries of the error statuses an operation answers beyond those
    ``core.openapi`` adds to every operation (e.g. 409 for a move that conflicts)."""
    return dict.fromkeys(statuses, ErrorSerializer)


# What the domain APIs answer: a refused request, a role or office that may not, an unknown object,
# a move the state allows no more, and an Idempotency-Key reused with another body.
ERRORS = api_errors(400, 401, 403, 404, 409, 422)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        from core.middleware import too_large_message

        return Response(
            {
                "code": "request_too_large",
                "message": too_large_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
                "fields": {},
            },
            status=413,
        )
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    if isinstance(exc, DomainError):
        fields = {key: [str(m) for m in value] for key, value in exc.fields.items()}
        return Response(
            {"code": exc.code, "message": str(exc.message), "fields": fields},
            status=exc.status_code,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "code": "validation_failed",
            "message": _("Please correct the marked fields."),
            "fields": {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()},
        }
    else:
        code = getattr(exc, "default_code", "error")
        message = (
            cast(drf_exceptions.APIException, exc).detail
            if isinstance(getattr(exc, "detail", None), str)
            else str(exc)
        )
        response.data = {"code": code, "message": str(message), "fields": {}}
    return response


def _api_error(exc: drf_exceptions.APIException, status: int) -> JsonResponse:
    return JsonResponse(
        {"code": exc.default_code, "message": str(exc.default_detail), "fields": {}}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: what Django refuses before any view answers (too many form fields, a bad
    host) gets the one error body under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return _api_error(drf_exceptions.ParseError(), 400)
    return defaults.bad_request(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: an address no route matches (``/api/v1/counter/payments/abc/``) gets the one
    error body under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return _api_error(drf_exceptions.NotFound(), 404)
    return defaults.page_not_found(request, exception)
