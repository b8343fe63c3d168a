"""The API described well enough to integrate from the docs alone: every operation has a summary, an
example for its request, its answer and each of its errors, and every example matches its schema."""

import jsonschema
import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")


def _json_schema(schema, components, depth=0):
    """OpenAPI 3.0 schema -> JSON Schema: inline references, nullable as a null type."""
    if isinstance(schema, list):
        return [_json_schema(item, components, depth) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return _json_schema(components[schema["$ref"].rsplit("/", 1)[-1]], components, depth + 1)
    out = {
        key: _json_schema(value, components, depth) if key not in ("example", "enum") else value
        for key, value in schema.items()
        if key not in ("nullable", "readOnly", "writeOnly")
    }
    if "properties" in out:
        out["properties"] = {k: _json_schema(v, components, depth) for k, v in schema["properties"].items()}
    if schema.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


@pytest.fixture(scope="module")
def schema():
    import json
    from io import StringIO

    out = StringIO()
    call_command("spectacular", "--format", "openapi-json", "--validate", "--fail-on-warn", stdout=out)
    return json.loads(out.getvalue())


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def test_every_operation_has_a_summary_and_says_how_it_fails(schema):
    missing = []
    for name, operation in operations(schema):
        if not operation.get("summary", "").strip():
            missing.append(f"{name}: summary")
        errors = [status for status in operation["responses"] if status.startswith("4")]
        if not errors:
            missing.append(f"{name}: error responses")
        for status in errors:
            content = operation["responses"][status].get("content", {}).get("application/json", {})
            if content.get("schema") != {"$ref": "#/components/schemas/Error"}:
                missing.append(f"{name}: {status} not in the shared error shape")
    assert missing == []


def test_every_request_answer_and_error_has_an_example_that_matches_its_schema(schema):
    components = schema["components"]["schemas"]
    problems, checked = [], 0
    for name, operation in operations(schema):
        bodies = [
            ("request", media) for media in operation.get("requestBody", {}).get("content", {}).values()
        ]
        for status, response in operation["responses"].items():
            bodies += [(status, media) for media in response.get("content", {}).values()]
        for where, media in bodies:
            if "schema" not in media:
                continue
            examples = media.get("examples", {})
            if not examples:
                problems.append(f"{name} {where}: no example")
            for example in examples.values():
                try:
                    jsonschema.validate(example["value"], _json_schema(media["schema"], components))
                    checked += 1
                except jsonschema.ValidationError as error:
                    problems.append(f"{name} {where}: {error.message}")
    assert problems == []
    assert checked > 50


def test_the_token_scheme_is_described_for_integrators(schema):
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "Authorization"}
    listing = schema["paths"]["/api/v1/orders/"]["get"]
    assert {"tokenAuth": []} in listing["security"]
    assert "401" in listing["responses"]


def test_the_docs_page_serves_the_examples(client):
    response = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    booking = response.json()["paths"]["/api/v1/counter/bookings/"]["post"]
    example = booking["requestBody"]["content"]["application/json"]["examples"]["example"]["value"]
    assert example["area"] == "makassar" and example["recipient_phone"].startswith("08")


def test_every_operation_lists_the_errors_the_code_around_it_answers(schema):
    """core.openapi.PortalAutoSchema: the statuses the authentication, the body limit, the parsers,
    pagination and the Idempotency-Key answer are listed without each decorator repeating them."""
    missing = []
    for name, operation in operations(schema):
        method, path = name.split(" ", 1)
        expected = {"401", "403"}
        if "{" in path or any(p["name"] == "page" for p in operation.get("parameters", [])):
            expected.add("404")
        if "requestBody" in operation:
            expected |= {"400", "413", "415"}
        if method in ("POST", "PUT", "PATCH"):
            expected.add("413")
        missing += [f"{name}: {status}" for status in sorted(expected - set(operation["responses"]))]
    assert missing == []
    listing = schema["paths"]["/api/v1/orders/"]["get"]["responses"]
    assert {"400", "404"} <= set(listing)  # a bad filter; page=0
    assert {"422", "429"} <= set(schema["paths"]["/api/v1/bookings/"]["post"]["responses"])
    assert "403" in schema["paths"]["/api/v1/counter/payments/{id}/"]["get"]["responses"]
