"""The complaints API: file without login, read with ticket and secret, staff list, reply, close;
the shared error shape, Idempotency-Key, token scopes."""

import base64

import pytest
from rest_framework.test import APIClient

from accounts.tokens import api_token_issue
from complaints.models import Complaint
from tests.complaints.helpers import png_bytes

pytestmark = pytest.mark.django_db


def file(api, **extra):
    body = {"category": "late", "text": "Paspor belum sampai.", "contact_email": "a@example.test", **extra}
    return api.post("/api/v1/complaints/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")


def test_file_read_reply_and_close_over_the_api(ref):
    api = APIClient()
    photo = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    filed = api.post(
        "/api/v1/complaints/",
        {
            "category": "late",
            "text": "Paspor belum sampai.",
            "contact_email": "a@example.test",
            "photo": photo,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="file-1",
    )
    assert filed.status_code == 201, filed.json()
    body = filed.json()
    ticket, secret = body["ticket"], body["secret"]
    assert body["has_photo"] and body["agency"] == "pos" and body["status"] == "open"
    assert body["link"].endswith(f"/complaints/t/{ticket}/{secret}/")

    again = api.post(
        "/api/v1/complaints/",
        {
            "category": "late",
            "text": "Paspor belum sampai.",
            "contact_email": "a@example.test",
            "photo": photo,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="file-1",
    )
    assert again.json()["ticket"] == ticket and Complaint.objects.count() == 1

    seen = api.get(f"/api/v1/complaints/{ticket}/", {"secret": secret})
    assert seen.status_code == 200 and [m["text"] for m in seen.json()["messages"]] == [
        "Paspor belum sampai."
    ]
    assert api.get(f"/api/v1/complaints/{ticket}/", {"secret": "nope"}).json()["code"] == "unknown_complaint"

    staff = APIClient()
    staff.force_authenticate(ref["users"]["pos.layanan"])
    queue = staff.get("/api/v1/complaints/").json()
    assert [c["ticket"] for c in queue] == [ticket] and queue[0]["contact_email"] == "a@example.test"
    replied = staff.post(
        f"/api/v1/complaints/{ticket}/replies/", {"text": "Kami cek hari ini."}, format="json"
    )
    assert replied.status_code == 201 and replied.json()["status"] == "answered"
    answer = api.post(
        f"/api/v1/complaints/{ticket}/replies/", {"text": "Terima kasih.", "secret": secret}, format="json"
    )
    assert [m["author_kind"] for m in answer.json()["messages"]] == ["applicant", "staff", "applicant"]
    closed = staff.post(f"/api/v1/complaints/{ticket}/close/", format="json")
    assert closed.json()["status"] == "closed"
    refused = api.post(
        f"/api/v1/complaints/{ticket}/replies/",
        {"text": "Satu lagi.", "secret": secret},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 409
    assert refused.json()["message"] == "This complaint is closed; it takes no more replies."


def test_bad_input_gets_the_shared_error_shape(ref):
    answer = file(APIClient(), text="x", contact_email="", photo="bm90IGFuIGltYWdl")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "validation_failed"
    assert set(body["fields"]) >= {"text", "contact_email", "photo"}
    assert Complaint.objects.count() == 0


def test_staff_of_another_agency_and_the_public_do_not_see_the_queue(ref):
    ticket = file(APIClient()).json()["ticket"]
    imigrasi = APIClient()
    imigrasi.force_authenticate(ref["users"]["imigrasi"])
    assert imigrasi.get("/api/v1/complaints/").json() == []
    assert imigrasi.post(f"/api/v1/complaints/{ticket}/close/").status_code == 404
    assert APIClient().get("/api/v1/complaints/").status_code in (401, 403)


def test_a_token_needs_the_complaints_scope(ref):
    _token, key = api_token_issue(name="pos", user=ref["users"]["pos.layanan"], scopes=["read_tracking"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/complaints/").status_code == 403
    _token, key = api_token_issue(name="pos2", user=ref["users"]["pos.layanan"], scopes=["handle_complaints"])
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/complaints/").status_code == 200
