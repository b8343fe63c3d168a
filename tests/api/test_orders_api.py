import pytest
from rest_framework.test import APIClient

from accounts.choices import Role
from delivery.choices import DeliveryStatus as S
from tests.factories import OfficeFactory, UserFactory, make_order


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_staff_see_only_their_offices_orders(ref):
    mine = make_order(ref, S.BOOKED)
    outsider = UserFactory(role=Role.POS_SERVICE_OFFICER, office=OfficeFactory())

    own = client_for(ref["users"]["pos.layanan"]).get("/api/v1/orders/").json()
    other = client_for(outsider).get("/api/v1/orders/").json()

    assert [o["code"] for o in own["results"]] == [mine.code]
    assert other["results"] == []


def test_an_applicant_sees_their_order_and_its_timeline(ref):
    order = make_order(ref, S.DOSSIER_HANDED)
    response = client_for(order.application.applicant.user).get(f"/api/v1/orders/{order.code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "dossier_handed"
    assert [e["to_status"] for e in body["events"]] == ["booked", "dossier_handed"]


def test_someone_elses_order_is_404_with_a_json_body(ref):
    order = make_order(ref, S.BOOKED)
    stranger = UserFactory(role=Role.APPLICANT)
    response = client_for(stranger).get(f"/api/v1/orders/{order.code}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_move_through_the_api_uses_the_state_machine(ref):
    order = make_order(ref, S.BOOKED)
    response = client_for(ref["users"]["pos.layanan"]).post(
        f"/api/v1/orders/{order.code}/moves/", {"action": "hand_dossier"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "dossier_handed"
    assert order.events.filter(to_status="dossier_handed").count() == 1


@pytest.mark.parametrize(
    ("username", "payload", "status", "code"),
    [
        ("pos.layanan", {"action": "deliver"}, 403, "wrong_role"),
        ("imigrasi", {"action": "mark_ready"}, 409, "invalid_transition"),
        ("pos.layanan", {"action": "fly_to_the_moon"}, 400, "validation_failed"),
        ("pos.layanan", {}, 400, "validation_failed"),
    ],
)
def test_refused_moves_answer_4xx_json_and_change_nothing(ref, username, payload, status, code):
    order = make_order(ref, S.BOOKED)
    response = client_for(ref["users"][username]).post(
        f"/api/v1/orders/{order.code}/moves/", payload, format="json"
    )
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    order.refresh_from_db()
    assert order.status == S.BOOKED
    assert order.events.count() == 1


def test_anonymous_callers_get_a_json_401(client, db):
    response = client.get("/api/v1/orders/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_an_unknown_status_filter_is_a_400(ref):
    response = client_for(ref["users"]["pos.layanan"]).get("/api/v1/orders/?status=lost")
    assert response.status_code == 400
    assert "status" in response.json()["fields"]


def test_the_openapi_schema_describes_the_moves(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/orders/{code}/moves/" in schema["paths"]


def test_the_same_idempotency_key_replays_the_answer_without_a_second_effect(ref):
    order = make_order(ref, S.BOOKED)
    client = client_for(ref["users"]["pos.layanan"])
    path = f"/api/v1/orders/{order.code}/moves/"

    first = client.post(path, {"action": "hand_dossier"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(path, {"action": "hand_dossier"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    different = client.post(path, {"action": "mark_ready"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    no_key = client.post(path, {"action": "hand_dossier"}, format="json")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert different.status_code == 422
    assert different.json()["code"] == "idempotency_key_reused"
    assert no_key.status_code == 409  # without a key a repeat is a new request, refused by the state machine
    assert order.events.filter(to_status=S.DOSSIER_HANDED).count() == 1


def test_a_refusal_is_replayed_too(ref):
    order = make_order(ref, S.BOOKED)
    client = client_for(ref["users"]["imigrasi"])
    path = f"/api/v1/orders/{order.code}/moves/"
    first = client.post(path, {"action": "mark_ready"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    again = client.post(path, {"action": "mark_ready"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert first.status_code == again.status_code == 409
    assert again.json() == first.json()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("area=maros", ["maros"]),
        ("area=gowa", []),
        ("created_from=2000-01-01", ["maros"]),
        ("created_to=2000-01-01", []),
        ("courier=995100002", []),
    ],
)
def test_lists_filter_by_area_date_and_courier(ref, query, expected):
    make_order(ref, S.BOOKED, area="maros")
    response = client_for(ref["users"]["pos.layanan"]).get(f"/api/v1/orders/?{query}")
    assert response.status_code == 200
    assert [o["area"].lower() for o in response.json()["results"]] == expected


def test_a_date_range_backwards_is_a_400(ref):
    response = client_for(ref["users"]["pos.layanan"]).get(
        "/api/v1/orders/?created_from=2026-02-01&created_to=2026-01-01"
    )
    assert response.status_code == 400
    assert "created_to" in response.json()["fields"]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "This cannot be done now"),
        ("id", "Ini tidak dapat dilakukan sekarang"),
        (None, "Ini tidak dapat dilakukan sekarang"),
    ],
)
def test_error_messages_speak_the_callers_language(ref, language, message):
    order = make_order(ref, S.BOOKED)
    client = client_for(ref["users"]["imigrasi"])
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client.post(
        f"/api/v1/orders/{order.code}/moves/", {"action": "mark_ready"}, format="json", **headers
    )
    assert response.status_code == 409
    assert response.json()["message"].startswith(message)
