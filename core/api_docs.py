"""`/api/docs/`: the API reference as a plain page (no script, readable on a phone), drawn from the
same OpenAPI schema as `/api/schema/`, examples included."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response

METHODS = ("get", "post", "put", "patch", "delete")
_schemas: dict[str, dict[str, Any]] = {}


def _schema() -> dict[str, Any]:
    language = get_language() or "id"
    if language not in _schemas:
        # drf-spectacular leaves its generator unannotated.
        generator = SchemaGenerator()  # type: ignore[no-untyped-call]  # see above
        _schemas[language] = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]  # see above
    return _schemas[language]


class SchemaView(SpectacularAPIView):
    """`/api/schema/`: drf-spectacular's view, the schema built once per language and version and
    kept, like the page's: it is the same for everyone (public) and changes only with the code."""

    _served: dict[tuple[str, str | None], Response] = {}

    def _get_schema_response(self, request: Request) -> Response:
        # drf-spectacular leaves its view's methods unannotated.
        version = self.api_version or request.version or self._get_version_parameter(request)  # type: ignore[no-untyped-call]  # see above
        key = (get_language() or "id", version)
        if key not in self._served:
            self._served[key] = super()._get_schema_response(request)  # type: ignore[no-untyped-call]  # see above
        cached = self._served[key]
        return Response(data=cached.data, headers={"Content-Disposition": cached["Content-Disposition"]})


def _example(media: dict[str, Any]) -> str:
    examples = media.get("examples") or {}
    for example in examples.values():
        return json.dumps(example.get("value"), indent=2, ensure_ascii=False)
    return ""


def api_reference() -> list[dict[str, Any]]:
    """Operations grouped by their first tag, in the schema's order."""
    schema = _schema()
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, item in schema["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            responses = []
            for status, response in operation.get("responses", {}).items():
                media: dict[str, Any] = next(iter(response.get("content", {}).values()), {})
                responses.append(
                    {
                        "status": status,
                        "description": response.get("description", ""),
                        "example": _example(media),
                    }
                )
            scopes = sorted({scope for entry in operation.get("security", []) for scope in entry})
            groups.setdefault((operation.get("tags") or ["api"])[0], []).append(
                {
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": operation.get("parameters", []),
                    "request": _example(next(iter(body.values()), {})) if body else "",
                    "responses": responses,
                    "auth": scopes,
                }
            )
    return [{"tag": tag, "operations": ops} for tag, ops in groups.items()]


def api_docs(request: HttpRequest) -> HttpResponse:
    schema = _schema()
    return render(
        request,
        "portal/api_docs.html",
        {
            "info": schema["info"],
            "groups": api_reference(),
        },
    )
