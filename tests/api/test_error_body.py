"""What Django answers before any API view runs still has the one error body under /api/."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_address_no_route_matches_answers_the_error_body(client):
    response = client.get("/api/v1/counter/payments/abc/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "fields": {}}


def test_pages_keep_their_own_not_found_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_a_body_django_refuses_to_parse_answers_the_error_body(client):
    # given: more form fields than Django parses (DATA_UPLOAD_MAX_NUMBER_FIELDS)
    body = "&".join(f"f{n}=x" for n in range(1001)) + "&code=AP1&birth_date=1990-05-17"

    # when
    response = client.post(
        "/api/v1/track/", body, content_type="application/x-www-form-urlencoded", HTTP_ACCEPT_LANGUAGE="en"
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
