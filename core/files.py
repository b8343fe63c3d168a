"""Uploaded files (signatures, photos, PDFs) go back to a browser only through here: as an image
type when Pillow recognises the content, otherwise as an attachment; never sniffed, never run as a
page (a sandboxing CSP of its own)."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse

from core.exceptions import ValidationFailed
from core.images import image_format

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def upload_response(field_file: FieldFile, *, download_name: str) -> FileResponse:
    if not field_file:
        raise Http404
    try:
        field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = IMAGE_TYPES.get(image_format(field_file) or "")
    field_file.seek(0)
    if content_type is None and field_file.read(5) == b"%PDF-":
        content_type = "application/pdf"
    field_file.seek(0)
    is_image = content_type in IMAGE_TYPES.values()
    response = FileResponse(
        field_file,
        content_type=content_type or "application/octet-stream",
        as_attachment=not is_image,
        filename=download_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def base64_decode(
    value: str, *, field: str, message: StrOrPromise, field_message: StrOrPromise = ""
) -> bytes:
    """The bytes of a file sent in JSON as base64 or as a data URL (``data:image/png;base64,...``);
    anything else is a ``ValidationFailed`` saying ``message``, with ``field_message`` (or the same
    message) on ``field``."""
    text = value.split(",", 1)[1] if value.startswith("data:") else value
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(message, fields={field: [field_message or message]}) from None


def pdf_response(data: bytes, filename: str, *, attachment: bool = False) -> HttpResponse:
    """A PDF the portal made, shown in the browser (or downloaded, ``attachment``) as ``filename``."""
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
