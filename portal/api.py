"""One JSON shape for every API error: {"code", "message", "fields"}."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.exceptions import DomainError


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        from portal.middleware import too_large_message

        return Response(
            {"code": "request_too_large",
             "message": too_large_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE), "fields": {}},
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
        message = exc.detail if isinstance(getattr(exc, "detail", None), str) else str(exc)
        response.data = {"code": code, "message": str(message), "fields": {}}
    return response
