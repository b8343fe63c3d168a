"""Personal data at rest: the NIK is stored encrypted (Fernet: AES-128-CBC + HMAC-SHA256) with a keyed
hash (HMAC-SHA256) beside it for look-ups.

``Applicant.nik`` keeps returning the plain NIK in Python; the database column holds only ciphertext.
``Applicant.objects.filter(nik="7371...")`` still works: the ``exact`` lookup of the field compares
the keyed hash column instead (Fernet ciphertexts differ on every write, so they cannot be compared).

Keys come from the environment through ``portal.env``: ``PERSONAL_DATA_KEYS`` (Fernet keys, comma-
separated; the first encrypts, all decrypt, so a key can be rotated) and ``PERSONAL_DATA_HASH_KEY``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.query_utils import DeferredAttribute
from django.db.models.sql.compiler import SQLCompiler


@cache
def _fernet() -> MultiFernet:
    keys = settings.PERSONAL_DATA_KEYS
    if not keys:
        raise ImproperlyConfigured("PERSONAL_DATA_KEYS must be set")
    return MultiFernet([Fernet(key) for key in keys])


def personal_encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def personal_decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong key must not pass for data
        raise ImproperlyConfigured("Personal data cannot be decrypted with PERSONAL_DATA_KEYS") from exc


def personal_hash(value: str) -> str:
    key = settings.PERSONAL_DATA_HASH_KEY.encode()
    return hmac.new(key, value.strip().encode(), hashlib.sha256).hexdigest()


def nik_mask(value: str) -> str:
    """``7371********0001``: enough for a counter clerk to compare with the KTP in hand."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


# Django's field and lookup classes take no type arguments at run time; django-stubs' do.
if TYPE_CHECKING:
    _CharField = models.CharField[str, str]
    _Lookup = Lookup[str]
else:
    _CharField = models.CharField
    _Lookup = Lookup


class _EncryptedAttribute(DeferredAttribute):
    """Setting the plain value also sets the keyed hash beside it, so both are always saved together."""

    def __set__(self, instance: models.Model, value: str | None) -> None:
        field = cast("EncryptedCharField", self.field)
        instance.__dict__[field.attname] = value
        instance.__dict__[field.hash_field] = personal_hash(value) if value else None


class EncryptedCharField(_CharField):
    """A text column that holds ciphertext; the empty string stays empty (no data, nothing to hide)."""

    descriptor_class = _EncryptedAttribute

    def __init__(self, *args: Any, hash_field: str, **kwargs: Any) -> None:
        self.hash_field = hash_field
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["hash_field"] = self.hash_field
        return name, path, args, kwargs

    def from_db_value(
        self, value: str | None, expression: object, connection: BaseDatabaseWrapper
    ) -> str | None:
        return personal_decrypt(value) if value else value

    def get_prep_value(self, value: object) -> str | None:
        value = cast("str | None", super().get_prep_value(value))
        return personal_encrypt(value) if value else value

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name not in ("exact", "isnull"):
            return None  # ciphertext cannot be searched: "contains", "startswith"... are refused
        return super().get_lookup(lookup_name)


@EncryptedCharField.register_lookup
class EncryptedExact(_Lookup):
    """``nik=value`` compares the keyed hash column; ``nik=""`` finds rows without one."""

    lookup_name = "exact"
    prepare_rhs = False

    # Django takes the parameters as a list as well as the tuple django-stubs names.
    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[object]]:  # type: ignore[override]  # a list of parameters, as Django's own lookups return
        field = getattr(self.lhs, "target", None)
        if self.rhs in ("", None) or field is None:
            # Empty (no NIK) is stored as empty; a check constraint compares the value itself.
            sql, params = compiler.compile(self.lhs)
            return f"{sql} = %s", [*params, self.rhs or ""]
        hash_col = Col(self.lhs.alias, field.model._meta.get_field(field.hash_field))
        sql, params = compiler.compile(hash_col)
        return f"{sql} = %s", [*params, personal_hash(str(self.rhs))]
