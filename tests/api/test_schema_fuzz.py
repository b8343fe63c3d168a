"""Schemathesis against the portal's own OpenAPI schema: generated requests to every operation, as a
partner system with a token would send them. No 5xx, every answer matches the schema."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from delivery.choices import DeliveryStatus as S
from portal.services.tokens import api_token_issue
from tests.factories import make_order

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


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
def api_key(ref, keep_connection):
    make_order(ref, S.BOOKED)
    _token, key = api_token_issue(
        name="fuzz", user=ref["users"]["pos.layanan"], scopes=["read_tracking", "write_handoff", "read_reports"]
    )
    return key


@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_and_answers_match_the_schema(case, api_key):
    case.call_and_validate(
        headers={"Authorization": f"Token {api_key}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
