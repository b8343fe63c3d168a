"""The API's description for partner systems: the token scheme, and an example for every request,
every answer and every error, so an integrator can read each operation without calling it.

Examples are written by ``add_examples`` (a drf-spectacular post-processing hook) from the schema
itself: each field gets a realistic value from ``FIELD_EXAMPLES`` (by name) or from its type, format
and enum, so a new endpoint gets examples without anyone writing them by hand, and they always match
the schema. An operation that declares its own examples keeps them.

Errors are listed by ``PortalAutoSchema``, from what the code around every view really answers, so no
operation's decorator has to repeat them: 401 and 403 wherever a token or session is accepted (a bad
token, a scope, a role, a staff session without its second factor), 404 where the path names an
object or a list is paginated, 400 for a body, query or header to validate, 413 and 415 where a body
is accepted (``core.middleware.BodySizeLimitMiddleware``, the parsers), 422 where an
``Idempotency-Key`` may be reused. A decorator still lists what only its view answers (409 for a move,
429 for a rate-limited lookup). Every error has the one body, ``Error`` (``core.api``).
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentRegistry
from rest_framework.request import Request

from core.api import ErrorSerializer

# Realistic values by field name, taken from the Makassar demo (DOMAIN.md's forms and figures).
FIELD_EXAMPLES: dict[str, object] = {
    "code": "APDEMO07",
    "order": "APDEMO07",
    "orders": ["APDEMO07", "APDEMO08"],
    "codes": ["APDEMO07", "APDEMO08"],
    "tracking_code": "APDEMO07",
    "billing_code": "820261123000017",
    "ntpn": "A1B2C3D4E5F6G7H8",
    "nik": "7371015705900001",
    "nik_last4": "0001",
    "one_time_code": "482913",
    "link": "APDEMO07.r2k1m.Xq3vB9s0LmQa",
    "challenge": "eyJjIjo0Mn0:1vKp2s:3tQ0yM8cJd7q1Fh9sV2kLw",
    "full_name": "Andi Nurhaliza",
    "applicant": "Andi Nurhaliza",
    "applicant_name": "Andi Nurhaliza",
    "birth_place": "Makassar",
    "birth_date": "1990-05-17",
    "address": "Jl. Perintis Kemerdekaan No. 10, Tamalanrea, Makassar",
    "area": "makassar",
    "phone": "081234567890",
    "recipient_phone": "081234567890",
    "email": "andi@example.id",
    "recipient_email": "andi@example.id",
    "poa_grantee_name": "Muh. Ridwan",
    "poa_grantee_nippos": "990123456",
    "poa_grantee_place": "KPRK Makassar",
    "reason": "not_at_home",
    "note": "Rumah kosong, tetangga tidak bersedia menerima.",
    "location": "-5.1354,119.4238",
    "passport_type": "biasa-48",
    "amount": 350000,
    "fee_amount": 350000,
    "delivery_fee": 30000,
    "office": "Kantor Imigrasi Kelas I TPI Makassar",
    "office_id": 1,
    "id": 12,
    "count": 1,
    "status": "dossier_handed",
    "status_label": "Berkas diserahkan ke Imigrasi",
    "from_status": "booked",
    "to_status": "dossier_handed",
    "status_at_flag": "booked",
    "actor_role": "pos_service_officer",
    "responsible_role": "pos_service_officer",
    "responsible_office": "KPRK Makassar 90000",
    "destination_kind": "home",
    "courier": "Kurir Demo (kurir)",
    "latitude": -5.1354,
    "longitude": 119.4238,
    "sim_number": "",
    "requirements": {"ktp": True, "kk": True, "akta_lahir": True},
    "missing_items": ["ktp_copy"],
    "stand_in_name": "Siti Aminah",
    "stand_in_relation": "Ibu kandung",
    "id_type": "ktp",
    "id_last_four": "0001",
    "authorisation_photo": "data:image/jpeg;base64,/9j/4AAQSkZJRg...",
    "signature": "data:image/png;base64,iVBORw0KGgo...",
    "photo": "data:image/jpeg;base64,/9j/4AAQSkZJRg...",
    "letter_url": "/counter/batches/3/letter.pdf",
    "pdf_url": "/counter/manifests/5/manifest.pdf",
    "csv_url": "/counter/manifests/5/manifest.csv",
    "error": "",
    "title": "Perjanjian Kerja Sama Layanan Antar Paspor",
    "number": "W23.IMI.IMI.1-UM.01.01-1234",
    "number_imigrasi": "W23.IMI.IMI.1-UM.01.01-1234",
    "number_pos": "PKS/123/KPRK-MKS/2026",
    "subject": "Layanan antar paspor ke alamat pemohon",
    "description": "Penjelasan singkat dalam Bahasa Indonesia.",
    "text": "Isi pasal.",
    "place": "Kantor Imigrasi Kelas I TPI Makassar",
    "participants_imigrasi": "Kepala Seksi Lalu Lintas Keimigrasian",
    "participants_pos": "Manajer Pelayanan KPRK Makassar",
    "agenda": "Evaluasi semester: ketepatan waktu dan keluhan.",
    "minutes": "Rapat membahas keterlambatan mobil layanan.",
    "decisions": "Mobil layanan tiba pukul 09.00 WITA.",
    "consensus": "Disepakati bersama.",
    "summary": "Selisih biaya antar untuk wilayah Maros.",
    "opened_by_party": "pos",
    "owner": "Manajer Pelayanan KPRK Makassar",
    "owner_party": "pos",
    "party": "imigrasi",
    "indicator": "timeliness",
    "notes": "",
    "given_by": "Kepala Kantor Imigrasi Makassar",
    "third_party": "CV Antar Cepat",
    "scope": "Antaran ke Kabupaten Gowa",
    "letter_reference": "W23.IMI.IMI.1-UM.01.01-2001",
    "kind": "deadline",
    "new_address": "Jl. Sultan Alauddin No. 5, Rappocini, Makassar",
    "after_attempt": 1,
    "imported": 12,
    "file": "(the file, sent as multipart/form-data)",
    "size": 284113,
    "score": 4,
    "next": None,
    "previous": None,
}

ERROR_EXAMPLES = {
    "400": (
        "validation_failed",
        "Please correct the marked fields.",
        {"billing_code": ["A billing code has exactly 15 digits."]},
    ),
    "401": ("not_authenticated", "Authentication credentials were not provided.", {}),
    "403": ("not_allowed", "Your role may not do this.", {}),
    "404": ("not_found", "No such delivery order.", {}),
    "409": ("invalid_transition", "This cannot be done now: the order is “booked”.", {}),
    "413": ("request_too_large", "The request is too large: at most 7 MB may be sent at once.", {}),
    "415": ("unsupported_media_type", 'Unsupported media type "text/plain" in request.', {}),
    "422": ("unprocessable", "The delivery code is wrong.", {"code": ["Wrong code."]}),
    "429": ("too_many_attempts", "Too many unsuccessful attempts. Please wait 15 minutes and try again.", {}),
}

# What each error status means, for an operation whose decorator does not say it otherwise.
ERROR_DESCRIPTIONS = {
    "400": "The request's body, query or headers are not valid; `fields` says which and why.",
    "401": "No session and no valid token (or the token was revoked).",
    "403": "Not allowed: the token's scopes, your role, or a staff session without its second factor.",
    "404": "No such object, or not one you may see (for a list: no such page).",
    "409": "Not now: the object is not in a state that allows this, or it changed meanwhile.",
    "413": "The body is larger than the portal accepts.",
    "415": "The body's media type is not one the operation accepts.",
    "422": "The Idempotency-Key was already used for a different request (or the request was understood "
    "but refused, as the message says).",
    "429": "Too many unsuccessful lookups from this address or for this code: wait and try again.",
}
ANONYMOUS_401 = "A token was sent but it is invalid or revoked (this operation needs no token)."
BODY_METHODS = ("POST", "PUT", "PATCH")


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus every error status the code around the view can answer."""

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: ComponentRegistry
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        anonymous = {} in operation.get("security", [])
        responses = operation.setdefault("responses", {})
        for status in self._error_statuses(operation):
            if status not in responses:
                responses[status] = self._get_response_for_code(ErrorSerializer, status)  # type: ignore[no-untyped-call]  # drf-spectacular leaves it unannotated
            if not responses[status].get("description"):
                responses[status]["description"] = (
                    ANONYMOUS_401 if status == "401" and anonymous else ERROR_DESCRIPTIONS[status]
                )
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_statuses(self, operation: dict[str, Any]) -> set[str]:
        statuses = {status for status in operation.get("responses", {}) if status in ERROR_DESCRIPTIONS}
        parameters = operation.get("parameters", [])
        handler = getattr(self.view, self.method.lower(), None)
        idempotent = bool(getattr(handler, "idempotent", False))
        if any(scheme for scheme in operation.get("security", [])):
            statuses |= {"401", "403"}
        if any(p["in"] == "path" for p in parameters) or any(
            p["in"] == "query" and p["name"] == "page" for p in parameters
        ):
            statuses.add("404")
        if (
            "requestBody" in operation
            or idempotent
            or any(p["in"] in ("query", "header") for p in parameters)
        ):
            statuses.add("400")
        if self.method in BODY_METHODS:
            statuses.add("413")
        if "requestBody" in operation:
            statuses.add("415")
        if idempotent:
            statuses.add("422")
        return statuses


class ManageSessionScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # drf-spectacular's unannotated __init_subclass__
    target_class = "delivery.manage.apis.ManageSessionAuthentication"
    name = "manageSession"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Manage <token>`: an applicant's session on one delivery, from "
            "POST /api/v1/manage/sessions/ after the one-time code (30 minutes).",
        }


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # drf-spectacular's unannotated __init_subclass__
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <prefix>.<secret>`: a partner system's token, issued and revoked in "
            "the admin, scoped (read_tracking, write_handoff, read_reports, "
            "manage_partnership).",
        }


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def example_for(schema: dict[str, Any], components: dict[str, Any], name: str = "", depth: int = 0) -> object:
    """A value that satisfies ``schema``, realistic where the field's name says what it is."""
    schema = _resolve(schema, components)
    if "example" in schema:
        return schema["example"]
    for combiner in ("allOf", "oneOf", "anyOf"):
        if combiner in schema:
            options = [o for o in schema[combiner] if _resolve(o, components).get("type") != "null"]
            return example_for(options[0] if options else schema[combiner][0], components, name, depth)
    if "enum" in schema:
        values = [v for v in schema["enum"] if v not in (None, "")]
        return values[0] if values else None
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        properties = schema.get("properties", {})
        return {key: example_for(sub, components, key, depth + 1) for key, sub in properties.items()}
    if kind == "array":
        items = _resolve(schema.get("items", {}), components)
        if (
            name in FIELD_EXAMPLES
            and isinstance(FIELD_EXAMPLES[name], list)
            and items.get("type") == "string"
        ):
            return FIELD_EXAMPLES[name]
        return [example_for(schema.get("items", {}), components, name.rstrip("s"), depth + 1)]
    if kind == "string" and "pattern" in schema:  # decimals travel as strings
        for candidate in (FIELD_EXAMPLES.get(name), "1.50", "1", "0001", "081234567890", "820261123000017"):
            if candidate is not None and re.fullmatch(schema["pattern"], str(candidate)):
                return str(candidate)
    if name in FIELD_EXAMPLES and _fits(FIELD_EXAMPLES[name], schema):
        return FIELD_EXAMPLES[name]
    fmt = schema.get("format", "")
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1) if "maximum" not in schema else int(schema["maximum"])
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if fmt == "date-time":
        return "2026-11-23T09:30:00+08:00"
    if fmt == "date":
        return "2026-11-23"
    if fmt == "uri":
        return "https://antar-paspor.example.id/track/?code=APDEMO07"
    if fmt == "email":
        return "andi@example.id"
    if fmt == "uuid":
        return "3f2b8c1e-6a4d-4f7e-9b1a-2c5d8e9f0a1b"
    if fmt == "binary":
        return "(file)"
    if kind == "string" or not kind:
        return "…"
    return None


def _fits(value: object, schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if value is None:
        return bool(schema.get("nullable"))
    if kind == "string":
        return isinstance(value, str) and len(value) <= schema.get("maxLength", len(value))
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float))
    return kind is None


def _add_example(content: dict[str, Any], example: object, summary: str) -> None:
    for media in content.values():
        if "schema" in media and "examples" not in media and "example" not in media:
            media["examples"] = {"example": {"summary": summary, "value": example}}


def add_examples(
    result: dict[str, Any], generator: SchemaGenerator, request: Request | None, public: bool
) -> dict[str, Any]:
    """drf-spectacular post-processing hook: examples for requests, answers and errors."""
    components = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                if "schema" in media and "examples" not in media:
                    media["examples"] = {
                        "example": {"summary": "A request", "value": example_for(media["schema"], components)}
                    }
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status in ERROR_EXAMPLES:
                    code, message, fields = ERROR_EXAMPLES[status]
                    _add_example(
                        content,
                        {"code": code, "message": message, "fields": fields},
                        response.get("description") or message,
                    )
                elif content:
                    first = next(iter(content.values()))
                    if "schema" in first:
                        _add_example(content, example_for(first["schema"], components), "The answer")
    return result
