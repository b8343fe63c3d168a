"""One door (issue 8), partnership: every action of the agreement, evaluation, dispute and uptake pages
through the API, with the same effect in the database, the same refusals (role, party), a 400 with
``fields`` for bad input, and one effect for a retried Idempotency-Key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.tokens import api_token_issue
from core.idempotency import REPLAY_HEADER
from demo.partnership import partnership_demo_load
from partners import services
from partners.choices import ActionItemStatus, DisputeStatus, Indicator, ObligationStatus, UptakeSource
from partners.models import (
    ActionItem,
    Agreement,
    AgreementAmendment,
    AgreementArticle,
    AgreementAttachment,
    Dispute,
    DisputeNote,
    EvaluationMeeting,
    IndicatorScore,
    Obligation,
    TransferConsent,
    UptakeMonth,
)

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SCORES = [{"indicator": value, "score": 4, "notes": "Baik"} for value in Indicator.values]


@pytest.fixture
def world(ref):
    agreement = partnership_demo_load(today=dt.date(2026, 11, 22))
    # The agreement in force ends in 2029, so that a next one may be recorded.
    Agreement.objects.filter(pk=agreement.pk).update(valid_until=dt.date(2029, 12, 31))
    meeting = EvaluationMeeting.objects.get()
    dispute = services.dispute_open(
        agreement=agreement,
        subject="Biaya mobil layanan",
        description="Siapa menanggung biaya siaga?",
        actor=ref["users"]["manajer.pos"],
    )
    return {
        "users": ref["users"],
        "agreement": agreement,
        "meeting": meeting,
        "dispute": dispute,
        "obligation": agreement.obligations.order_by("pk").first(),
        "item": meeting.action_items.get(status=ActionItemStatus.OPEN),
    }


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["message"]
    if code:
        assert body["code"] == code
    return body


def _pdf():
    return SimpleUploadedFile("pks-2026.pdf", MINIMAL_PDF, content_type="application/pdf")


def _csv(text: str):
    return SimpleUploadedFile("uptake.csv", text.encode(), content_type="text/csv")


@dataclass
class Case:
    """One page action: how to call its API twin, what it changes, and one bad input."""

    name: str
    url: Callable[[dict], str]
    body: Callable[[dict], dict]
    effect: Callable[[dict], object]  # a snapshot of what the action changes
    bad: Callable[[dict], dict]
    bad_field: str
    status: int = 201
    multipart: bool = False
    user: str = "manajer.pos"


CASES = [
    Case(
        "agreement create",
        lambda w: "/api/v1/partners/agreements/",
        lambda w: {
            "title": "PKS Layanan Antar Paspor 2030",
            "number_pos": "PKS/1/2030",
            "signed_on": "2029-12-01",
            "valid_from": "2030-01-01",
            "valid_until": "2034-12-31",
        },
        lambda w: Agreement.objects.count(),
        lambda w: {"title": "", "signed_on": "2029-12-01", "valid_from": "2030-01-01"},
        "title",
    ),
    Case(
        "attachment add",
        lambda w: f"/api/v1/partners/agreements/{w['agreement'].pk}/attachments/",
        lambda w: {"title": "Naskah PKS bertanda tangan", "file": _pdf()},
        lambda w: AgreementAttachment.objects.count(),
        lambda w: {"title": "Bukan PDF", "file": SimpleUploadedFile("x.pdf", b"GIF89a....")},
        "file",
        multipart=True,
    ),
    Case(
        "consent record",
        lambda w: f"/api/v1/partners/agreements/{w['agreement'].pk}/consents/",
        lambda w: {
            "given_by": "imigrasi",
            "third_party": "CV Kurir Mitra",
            "scope": "Antaran ke Selayar",
            "letter_reference": "W.23.IMI/2026/001",
            "given_on": "2026-11-01",
        },
        lambda w: TransferConsent.objects.count(),
        lambda w: {
            "given_by": "imigrasi",
            "third_party": "CV Kurir Mitra",
            "scope": "Antaran",
            "letter_reference": "   ",
            "given_on": "2026-11-01",
        },
        "letter_reference",
    ),
    Case(
        "amend",
        lambda w: f"/api/v1/partners/agreements/{w['agreement'].pk}/amendments/",
        lambda w: {
            "signed_on": "2026-11-20",
            "summary": "Masa berlaku sampai 2031",
            "valid_until": "2031-12-31",
        },
        lambda w: (
            AgreementAmendment.objects.count(),
            Agreement.objects.get(pk=w["agreement"].pk).valid_until,
        ),
        lambda w: {"signed_on": "2026-11-20", "summary": "Mundur", "valid_until": "2010-01-01"},
        "valid_until",
    ),
    Case(
        "article add",
        lambda w: f"/api/v1/partners/agreements/{w['agreement'].pk}/articles/",
        lambda w: {"number": "15", "title": "Keadaan memaksa", "text": "Force majeure."},
        lambda w: AgreementArticle.objects.count(),
        lambda w: {"number": "7", "title": "Pasal ganda"},
        "number",
    ),
    Case(
        "obligation add",
        lambda w: f"/api/v1/partners/agreements/{w['agreement'].pk}/obligations/",
        lambda w: {"party": "pos", "text": "Melaporkan antaran gagal setiap minggu."},
        lambda w: Obligation.objects.count(),
        lambda w: {"party": "kurir", "text": "?"},
        "party",
    ),
    Case(
        "obligation status",
        lambda w: f"/api/v1/partners/agreements/{w['agreement'].pk}/obligations/{w['obligation'].pk}/status/",
        lambda w: {"status": "not_met", "note": "Terlambat pada evaluasi 2026"},
        lambda w: Obligation.objects.filter(status=ObligationStatus.NOT_MET).count(),
        lambda w: {"status": "forgotten"},
        "status",
        status=200,
    ),
    Case(
        "action item add",
        lambda w: f"/api/v1/partners/evaluations/{w['meeting'].pk}/action-items/",
        lambda w: {
            "description": "Spanduk di ruang tunggu",
            "owner": "Humas Imigrasi",
            "owner_party": "imigrasi",
            "due_on": "2026-12-31",
        },
        lambda w: ActionItem.objects.count(),
        lambda w: {"description": "Spanduk", "owner": "Humas", "owner_party": "imigrasi", "due_on": "besok"},
        "due_on",
    ),
    Case(
        "action item complete",
        lambda w: f"/api/v1/partners/evaluations/{w['meeting'].pk}/action-items/{w['item'].pk}/complete/",
        lambda w: {},
        lambda w: ActionItem.objects.filter(status=ActionItemStatus.DONE).count(),
        None,
        "",
        status=200,
    ),
    Case(
        "scorecard save",
        lambda w: f"/api/v1/partners/evaluations/{w['meeting'].pk}/scorecard/",
        lambda w: {"scores": SCORES},
        lambda w: sorted(IndicatorScore.objects.values_list("score", flat=True)),
        lambda w: {
            "scores": [{**row, "score": 6} if row["indicator"] == "flexibility" else row for row in SCORES]
        },
        "flexibility",
        status=200,
    ),
    Case(
        "dispute note",
        lambda w: f"/api/v1/partners/disputes/{w['dispute'].pk}/notes/",
        lambda w: {"text": "Musyawarah pertama: biaya dibagi dua."},
        lambda w: (DisputeNote.objects.count(), Dispute.objects.get().status),
        lambda w: {"text": "   "},
        "text",
    ),
    Case(
        "dispute consensus",
        lambda w: f"/api/v1/partners/disputes/{w['dispute'].pk}/consensus/",
        lambda w: {"consensus": "Biaya siaga ditanggung PT Pos."},
        lambda w: Dispute.objects.get().status,
        lambda w: {"consensus": ""},
        "consensus",
        status=200,
    ),
    Case(
        "uptake csv",
        lambda w: "/api/v1/partners/uptake/csv/",
        lambda w: {"file": _csv("year,month,issued\n2026,9,5100\n2026,10,4890\n")},
        lambda w: UptakeMonth.objects.filter(year=2026, source=UptakeSource.CSV).count(),
        lambda w: {"file": _csv("year,month,issued\n2026,9,5100\n2026,13,10\nx,1,2\n")},
        "line_3",
        status=200,
        multipart=True,
        user="manajer.imigrasi",
    ),
]
IDS = [case.name for case in CASES]


def call(case: Case, world: dict, *, user=None, body=None, **extra):
    client = as_user(user or world["users"][case.user])
    return client.post(
        case.url(world),
        case.body(world) if body is None else body,
        format="multipart" if case.multipart else "json",
        **extra,
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_api_does_what_the_page_does(world, case):
    before = case.effect(world)
    response = call(case, world)
    assert response.status_code == case.status, response.content
    assert case.effect(world) != before


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_courier_is_refused_and_nothing_changes(world, case):
    before = case.effect(world)
    assert_error(call(case, world, user=world["users"]["kurir"]), 403)
    assert case.effect(world) == before


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.bad is not None], ids=[c.name for c in CASES if c.bad]
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_changes(world, case):
    before = case.effect(world)
    body = assert_error(call(case, world, body=case.bad(world)), 400)
    assert case.bad_field in body["fields"], body
    assert case.effect(world) == before


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_same_idempotency_key_twice_has_one_effect(world, case):
    first = call(case, world, HTTP_IDEMPOTENCY_KEY=f"twin-{case.name}")
    after_first = case.effect(world)
    again = call(case, world, HTTP_IDEMPOTENCY_KEY=f"twin-{case.name}")
    assert first.status_code == again.status_code == case.status
    assert again.headers[REPLAY_HEADER] == "true" and again.json() == first.json()
    assert case.effect(world) == after_first


# What each answer says, and the refusals that need a particular state ---------------------------


def test_an_agreement_created_through_the_api_is_shown_in_full(world):
    response = call(CASES[0], world)
    created = Agreement.objects.get(pk=response.json()["id"])
    assert (created.title, created.valid_until) == ("PKS Layanan Antar Paspor 2030", dt.date(2034, 12, 31))
    detail = as_user(world["users"]["manajer.imigrasi"]).get(f"/api/v1/partners/agreements/{created.pk}/")
    assert detail.status_code == 200
    assert detail.json()["number_pos"] == "PKS/1/2030" and detail.json()["attachments"] == []


def test_an_agreement_overlapping_the_one_in_force_is_refused(world):
    body = {"title": "PKS tumpang tindih", "signed_on": "2020-01-01", "valid_from": "2020-01-01"}
    response = as_user(world["users"]["manajer.pos"]).post(
        "/api/v1/partners/agreements/", body, format="json"
    )
    assert "valid_from" in assert_error(response, 400)["fields"]


def test_the_agreement_detail_lists_attachments_consents_and_amendments(world):
    agreement, client = world["agreement"], as_user(world["users"]["manajer.pos"])
    call(CASES[1], world)
    call(CASES[2], world)
    call(CASES[3], world)
    body = client.get(f"/api/v1/partners/agreements/{agreement.pk}/").json()
    assert [a["title"] for a in body["attachments"]] == ["Naskah PKS bertanda tangan"]
    assert body["attachments"][0]["size"] == len(MINIMAL_PDF)
    assert [c["letter_reference"] for c in body["consents"]] == ["W.23.IMI/2026/001"]
    assert body["amendments"][0]["after"] == {"valid_until": "2031-12-31"}
    assert body["valid_until"] == "2031-12-31"
    assert_error(client.get("/api/v1/partners/agreements/999999/"), 404)


def test_an_obligation_of_another_agreement_is_not_found(world):
    other = services.agreement_create(
        title="PKS lama",
        signed_on=dt.date(2010, 1, 1),
        valid_from=dt.date(2010, 1, 1),
        valid_until=dt.date(2011, 1, 1),
    )
    url = f"/api/v1/partners/agreements/{other.pk}/obligations/{world['obligation'].pk}/status/"
    assert_error(as_user(world["users"]["manajer.pos"]).post(url, {"status": "met"}, format="json"), 404)


def test_a_meeting_is_read_and_updated_like_on_its_page(world):
    meeting, client = world["meeting"], as_user(world["users"]["manajer.imigrasi"])
    url = f"/api/v1/partners/evaluations/{meeting.pk}/"
    body = client.get(url).json()
    assert len(body["scores"]) == 7 and {item["id"] for item in body["action_items"]} >= {world["item"].pk}

    update = {
        "held_on": "2019-07-16",
        "status": "held",
        "place": "Aula Kantor Pos Makassar",
        "participants_imigrasi": "Kasi Lantaskim",
        "participants_pos": "Manajer layanan",
        "agenda": "Serapan",
        "minutes": "Dibahas.",
        "decisions": "Meja layanan.",
    }
    response = client.put(url, update, format="json")
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert (meeting.held_on, meeting.place) == (dt.date(2019, 7, 16), "Aula Kantor Pos Makassar")

    refused = client.put(url, {**update, "held_on": "2099-01-01"}, format="json")
    assert "status" in assert_error(refused, 400)["fields"]
    assert "held_on" in assert_error(client.put(url, {"status": "held"}, format="json"), 400)["fields"]
    assert_error(as_user(world["users"]["kurir"]).put(url, update, format="json"), 403)
    assert_error(as_user(world["users"]["kurir"]).get(url), 403)
    meeting.refresh_from_db()
    assert meeting.held_on == dt.date(2019, 7, 16)


def test_a_scorecard_needs_all_seven_indicators(world):
    before = sorted(IndicatorScore.objects.values_list("score", flat=True))
    client = as_user(world["users"]["manajer.pos"])
    response = client.post(
        f"/api/v1/partners/evaluations/{world['meeting'].pk}/scorecard/",
        {"scores": SCORES[:6]},
        format="json",
    )
    assert list(assert_error(response, 400)["fields"]) == [Indicator.values[6]]
    twice = client.post(
        f"/api/v1/partners/evaluations/{world['meeting'].pk}/scorecard/",
        {"scores": [*SCORES, SCORES[0]]},
        format="json",
    )
    assert "scores" in assert_error(twice, 400)["fields"]
    assert sorted(IndicatorScore.objects.values_list("score", flat=True)) == before


def test_an_action_item_of_another_meeting_is_not_found(world):
    other = services.evaluation_meeting_save(
        held_on=dt.date(2026, 12, 10), status="planned", actor=world["users"]["manajer.pos"]
    )
    url = f"/api/v1/partners/evaluations/{other.pk}/action-items/{world['item'].pk}/complete/"
    assert_error(as_user(world["users"]["manajer.pos"]).post(url), 404)
    assert ActionItem.objects.get(pk=world["item"].pk).status == ActionItemStatus.OPEN


def test_a_dispute_goes_from_deliberation_to_consensus_to_closed(world):
    dispute, client = world["dispute"], as_user(world["users"]["manajer.imigrasi"])
    base = f"/api/v1/partners/disputes/{dispute.pk}/"
    assert_error(client.post(base + "close/"), 409, "invalid_transition")  # no consensus yet

    noted = client.post(base + "notes/", {"text": "Biaya dibagi dua?"}, format="json")
    assert noted.status_code == 201 and noted.json()["status"] == DisputeStatus.DELIBERATION
    agreed = client.post(base + "consensus/", {"consensus": "Ditanggung PT Pos."}, format="json")
    assert agreed.json()["consensus"] == "Ditanggung PT Pos."
    closed = client.post(base + "close/", HTTP_IDEMPOTENCY_KEY="close-1")
    assert closed.status_code == 200 and closed.json()["closed_at"]
    assert client.post(base + "close/", HTTP_IDEMPOTENCY_KEY="close-1").status_code == 200  # the replay
    assert_error(client.post(base + "close/"), 409)  # a new request: already closed
    assert_error(client.post(base + "notes/", {"text": "Lagi"}, format="json"), 409)

    body = client.get(base).json()
    assert (body["status"], body["notes"], body["agreement"]) == (
        DisputeStatus.CLOSED,
        ["Biaya dibagi dua?"],
        world["agreement"].pk,
    )
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.CLOSED
    assert_error(as_user(world["users"]["kurir"]).get(base), 403)
    assert_error(client.get("/api/v1/partners/disputes/999999/"), 404)


def test_a_csv_with_bad_rows_names_each_line_and_imports_nothing(world):
    client = as_user(world["users"]["manajer.imigrasi"])
    response = client.post(
        "/api/v1/partners/uptake/csv/",
        {"file": _csv("year,month,issued\n2026,9,5100\n2026,13,10\nx,1,2\n")},
        format="multipart",
    )
    body = assert_error(response, 400, "validation_failed")
    assert set(body["fields"]) == {"line_3", "line_4"}
    assert not UptakeMonth.objects.filter(year=2026).exists()

    done = client.post(
        "/api/v1/partners/uptake/csv/",
        {"file": _csv('year,month,issued\n2026,9,"5.100"\n')},
        format="multipart",
    )
    assert done.json() == {"imported": 1}
    assert UptakeMonth.objects.get(year=2026, month=9).issued == 5100
    assert (
        "file"
        in assert_error(client.post("/api/v1/partners/uptake/csv/", {}, format="multipart"), 400)["fields"]
    )


def test_pos_does_not_enter_the_passports_issued(world):
    response = as_user(world["users"]["manajer.pos"]).post(
        "/api/v1/partners/uptake/csv/", {"file": _csv("year,month,issued\n2026,9,5100\n")}, format="multipart"
    )
    assert_error(response, 403, "not_allowed")
    assert not UptakeMonth.objects.filter(year=2026).exists()


def test_tokens_read_with_read_reports_and_write_with_manage_partnership(world):
    manager = world["users"]["manajer.pos"]
    _t, reader = api_token_issue(name="laporan", user=manager, scopes=["read_reports"])
    _t, writer = api_token_issue(
        name="kemitraan", user=manager, scopes=["read_reports", "manage_partnership"]
    )
    url = f"/api/v1/partners/disputes/{world['dispute'].pk}/"

    assert APIClient().get(url, HTTP_AUTHORIZATION=f"Token {reader}").status_code == 200
    assert (
        APIClient().get("/api/v1/partners/agreements/", HTTP_AUTHORIZATION=f"Token {reader}").status_code
        == 200
    )
    for figures in (
        "/api/v1/partners/dashboard/",
        "/api/v1/partners/evaluations/",
        "/api/v1/partners/disputes/",
    ):
        assert APIClient().get(figures, HTTP_AUTHORIZATION=f"Token {reader}").status_code == 200
    refused = APIClient().post(
        "/api/v1/partners/uptake/",
        {"year": 2026, "month": 9, "issued": 5100},
        format="json",
        HTTP_AUTHORIZATION=f"Token {reader}",
    )
    assert_error(refused, 403)
    refused = APIClient().post(
        url + "notes/", {"text": "Catatan"}, format="json", HTTP_AUTHORIZATION=f"Token {reader}"
    )
    assert_error(refused, 403)
    assert not DisputeNote.objects.exists()
    done = APIClient().post(
        url + "notes/", {"text": "Catatan"}, format="json", HTTP_AUTHORIZATION=f"Token {writer}"
    )
    assert done.status_code == 201
    assert DisputeNote.objects.get().author == manager


def test_a_refusal_speaks_the_callers_language(world):
    client = as_user(world["users"]["manajer.pos"])
    url = f"/api/v1/partners/agreements/{world['agreement'].pk}/obligations/"
    english = client.post(url, {"party": "kurir", "text": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    indonesian = client.post(url, {"party": "kurir", "text": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="id")
    assert assert_error(english, 400)["message"] == "Please correct the marked fields."
    assert assert_error(indonesian, 400)["message"] != "Please correct the marked fields."


def test_a_pdf_larger_than_a_request_body_may_be_is_still_answered_once_per_key(world):
    # Django reads at most 2.5 MB of a body whole; a signed agreement is often larger.
    client = as_user(world["users"]["manajer.pos"])
    url = f"/api/v1/partners/agreements/{world['agreement'].pk}/attachments/"
    big = MINIMAL_PDF + b"%" + b"0" * (4 * 1024 * 1024)

    def upload(content, key):
        file = SimpleUploadedFile("pks-lengkap.pdf", content, content_type="application/pdf")
        return client.post(
            url, {"title": "Naskah lengkap", "file": file}, format="multipart", HTTP_IDEMPOTENCY_KEY=key
        )

    first, again = upload(big, "big-1"), upload(big, "big-1")
    assert first.status_code == again.status_code == 201
    assert again.headers[REPLAY_HEADER] == "true"
    assert AgreementAttachment.objects.get().size == len(big)
    other = upload(big[:-1] + b"1", "big-1")  # another file under the same key
    assert_error(other, 422, "idempotency_key_reused")
    too_large = upload(MINIMAL_PDF + b"0" * (10 * 1024 * 1024 + 1), "big-2")
    assert "file" in assert_error(too_large, 400)["fields"]
    assert AgreementAttachment.objects.count() == 1
