"""Every image that comes from outside (signatures, delivery and complaint photos) is opened here.

``image_decode`` reads the header with Pillow, judges the image by its content (never by a name or
a type someone sent), and refuses it, as a ``ValidationFailed`` with a message for the field, when
it is not an image, has more pixels than the caller allows, fails Pillow's check of its structure,
or is of a format the caller does not take. Nothing is decompressed: a 100-byte PNG that claims
20000 x 10000 pixels is refused for its pixels before anything would decode it.

Each call says how many pixels its kind of image may have (``SIGNATURE_MAX_PIXELS``,
``PHOTO_MAX_PIXELS``). Pillow's own guard, ``Image.MAX_IMAGE_PIXELS``, is one number for the whole
process (a warning past it, an error past twice it) that WeasyPrint and matplotlib share; it is left
alone, and so are the warning filters (changing them is not thread-safe under gunicorn's threads).
The per-call limits stay under Pillow's, so any image Pillow would only warn about is refused here
for its pixels; its error, and its warning where warnings are errors, mean the same.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Collection
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from core.exceptions import ValidationFailed

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

# What Pillow raises on bytes that are not a sound image (beyond the decompression-bomb pair).
DECODER_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    IndexError,
)
BOMB_ERRORS = (Image.DecompressionBombError, Image.DecompressionBombWarning)


@dataclass(frozen=True)
class CheckedImage:
    format: str
    width: int
    height: int


def image_decode(
    raw: bytes,
    *,
    field: str,
    label: StrOrPromise,
    max_pixels: int,
    formats: Collection[str],
    hint: StrOrPromise | None = None,
) -> CheckedImage:
    """The format and size of the image in ``raw``, or a ``ValidationFailed`` for ``field``.

    ``label`` names the image in the message ("The photo"); ``hint`` replaces the field's own
    message for a file that is no image or of the wrong type ("Choose a JPEG, PNG or WebP photo.")."""
    megapixels = f"{max_pixels / 1_000_000:g}"
    too_many_pixels = ValidationFailed(
        _("%(what)s has too many pixels (at most %(megapixels)s megapixels).")
        % {"what": label, "megapixels": megapixels},
        code="too_many_pixels",
        fields={field: [_("At most %(megapixels)s megapixels.") % {"megapixels": megapixels}]},
    )
    try:
        with Image.open(io.BytesIO(raw)) as image:
            kind, (width, height) = image.format or "", image.size
            if width * height > max_pixels:
                raise too_many_pixels
            image.verify()  # the structure and checksums; decodes nothing
    except BOMB_ERRORS:
        raise too_many_pixels from None
    except DECODER_ERRORS:
        raise ValidationFailed(
            _("%(what)s is not an image.") % {"what": label}, fields={field: [hint or _("Not an image.")]}
        ) from None
    if kind not in formats:
        raise ValidationFailed(
            _("%(what)s must be a %(formats)s image.") % {"what": label, "formats": "/".join(formats)},
            fields={field: [hint or _("Wrong image type.")]},
        )
    return CheckedImage(format=kind, width=width, height=height)


def image_format(fileobj: IO[bytes]) -> str | None:
    """The format of an image already stored (to serve it with its type), or None if Pillow does
    not recognise it; reads the header only and never raises for what the file holds."""
    try:
        with Image.open(fileobj) as image:
            return image.format
    except (*BOMB_ERRORS, *DECODER_ERRORS):
        return None
