"""Fields for what people type to prove who they are: codes, digits and secrets.

Python's ``str.isdigit`` and the regular expression ``\\d`` take any Unicode digit (full-width
"１２３４", Arabic-Indic "١٢٣٤", even superscripts "²³⁴⁵", on which ``int()`` then fails), and
``hmac.compare_digest`` refuses a ``str`` with a non-ASCII character with ``TypeError``. So:

- a value that is compared with a secret passes, at the door, through one of these fields (a form
  field for the pages, a serializer field for the API, a path converter for a secret in a link),
  which lets through ASCII only;
- every comparison with a secret goes through ``secret_equals``, which takes any input, so a
  service called from elsewhere still refuses a strange value like any wrong one;
- ``ascii_digits`` is the one test for "digits", for the services and for ids a view reads itself.

Full-width and other digits are refused with a message that says why, not converted: converting
(NFKC) would also turn "²", "①" and "𝟏" into digits, so many spellings would match one secret and
split its lookup lock's count and its cached page; and a person who typed them learns what to fix.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

NOT_ASCII_DIGITS = _("Type the digits 0 to 9 on a normal keyboard (not full-width or other digits).")
NOT_DIGITS = _("Enter digits only.")
NOT_A_SECRET = _("This secret is not valid.")


def ascii_digits(value: object, *, length: int | None = None) -> bool:
    """Whether ``value`` is a non-empty string of the ASCII digits 0-9 (of ``length`` if given)."""
    return (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and (length is None or len(value) == length)
    )


def _as_bytes(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value if value is not None else "").encode("utf-8", "surrogatepass")


def secret_equals(given: object, expected: object) -> bool:
    """``hmac.compare_digest`` for anything a caller may send: both sides as UTF-8 bytes (``None``
    as empty), so a non-ASCII value is simply not equal instead of a ``TypeError``."""
    return hmac.compare_digest(_as_bytes(given), _as_bytes(expected))


class AsciiDigitsValidator:
    """Only the ASCII digits 0-9; other Unicode digits get a message of their own."""

    def __init__(self, message: StrOrPromise | None = None) -> None:
        self.message = message or NOT_DIGITS

    def __call__(self, value: str) -> None:
        if ascii_digits(value):
            return
        if isinstance(value, str) and value.isdigit():
            raise ValidationError(NOT_ASCII_DIGITS, code="not_ascii_digits")
        raise ValidationError(self.message, code="not_digits")


class SecretValidator:
    """A secret is printable ASCII (what a link or a copied code holds); anything else is wrong."""

    def __call__(self, value: str) -> None:
        if not (isinstance(value, str) and value.isascii() and value.isprintable()):
            raise ValidationError(NOT_A_SECRET, code="invalid_secret")


def _strip_spaces(value: Any, spaces: bool) -> Any:
    return value.replace(" ", "") if spaces and isinstance(value, str) else value


class _AsciiDigits:
    """What the form field and the serializer field share: ``digits`` fixes the length, ``spaces``
    lets people group the digits with spaces (removed), ``message`` says what was expected."""

    validators: list[Any]  # the field class this is mixed into holds them

    def __init__(
        self,
        *,
        digits: int | None = None,
        spaces: bool = False,
        message: StrOrPromise | None = None,
        **kwargs: Any,
    ) -> None:
        if digits is not None:
            kwargs.setdefault("min_length", digits)
            kwargs.setdefault("max_length", digits)
        self.spaces = spaces
        super().__init__(**kwargs)
        self.validators.append(AsciiDigitsValidator(message))


class AsciiDigitsField(_AsciiDigits, forms.CharField):
    """A form field for digits people type."""

    def to_python(self, value: Any) -> Any:
        return _strip_spaces(super().to_python(value), self.spaces)


class AsciiDigitsSerializerField(_AsciiDigits, serializers.CharField):
    """The API's twin of ``AsciiDigitsField``."""

    def to_internal_value(self, data: Any) -> Any:
        return _strip_spaces(super().to_internal_value(data), self.spaces)


class SecretSerializerField(serializers.CharField):
    """A secret sent to the API (a complaint's secret): printable ASCII, else a 400 field error."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(SecretValidator())


class SecretPathConverter:
    """``<secret:...>`` in a URL: the URL-safe characters of a generated secret (hex, base64url).
    Any other link does not match, so it is a 404 before any view compares it."""

    regex = "[0-9A-Za-z_-]{1,128}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
