"""Schemathesis against the portal's own OpenAPI schema: generated requests to every operation, as a
partner system's staff tokens holding every scope would send them. No 5xx, no status the schema does
not document (``core.openapi`` lists each operation's errors), every answer matches the schema.

Deterministic (``derandomize``: the same requests on every run) and short, since it runs in
`make test`; the examples, coverage and fuzzing phases together send a few thousand requests."""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import ApiToken
from accounts.tokens import api_token_issue
from delivery.choices import DeliveryStatus as S
from tests.factories import make_order

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
# content_type_conformance: an error is JSON too, also where Django answers before a view (core.api).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def keep_connection():
    """Requests here go straight into the WSGI app, inside the test's transaction: keep Django from
    closing the connection at the end of each request, as its own test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_keys(ref, keep_connection):
    """Tokens with every scope for a Pos service officer and, for the partnership's operations (an
    agency manager's), for PT Pos's manager: requests get past the role checks into the services."""
    # Each operation starts with the lookup lock's counters (core.lookups) at zero, whatever ran before.
    cache.clear()
    make_order(ref, S.BOOKED)
    scopes = list(ApiToken.Scope.values)
    return {
        username: api_token_issue(name=f"fuzz {username}", user=ref["users"][username], scopes=scopes)[1]
        for username in ("pos.layanan", "manajer.pos")
    }


@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_and_every_answer_is_documented(case, api_keys):
    if (case.media_type or "").startswith("multipart/") and not isinstance(case.body, dict):
        return  # werkzeug's test client can only build a multipart body from a mapping
    key = api_keys["manajer.pos" if case.operation.path.startswith("/api/v1/partners/") else "pos.layanan"]
    case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=CHECKS)
