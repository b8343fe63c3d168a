"""Uploaded files (signatures, photos, PDFs) go back to a browser only through here: as an image
type when Pillow recognises the content, otherwise as an attachment; never sniffed, never run as a
page (a sandboxing CSP of its own)."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from core.images import image_format

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
