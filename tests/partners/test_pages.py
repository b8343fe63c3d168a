"""The partnership's forms on the pages: refusals shown as form errors, nothing half-written."""

import pytest

from demo.partnership import partnership_demo_load
from partners.models import Agreement, AgreementArticle, EvaluationMeeting, Obligation


@pytest.fixture
def manager(client, ref):
    partnership_demo_load()
    client.force_login(ref["users"]["manajer.pos"])
    return client


def test_an_overlapping_agreement_is_refused_on_the_page(manager):
    response = manager.post(
        "/partners/agreements/",
        {
            "title": "Perjanjian kedua",
            "signed_on": "2026-01-05",
            "valid_from": "2026-01-05",
        },
    )
    assert response.status_code == 200
    assert "tumpang tindih" in response.content.decode()
    assert Agreement.objects.count() == 1


def test_an_agreement_after_the_first_ends_is_recorded(manager):
    first = Agreement.objects.get()
    first.valid_until = first.valid_from.replace(year=2025)
    first.save()
    response = manager.post(
        "/partners/agreements/",
        {
            "title": "Perjanjian 2026",
            "signed_on": "2026-01-05",
            "valid_from": "2026-01-05",
            "number_pos": "PKS-01/2026",
        },
    )
    assert response.status_code == 302
    assert Agreement.objects.filter(number_pos="PKS-01/2026").exists()


def test_articles_and_obligations_are_added_from_the_agreement_page(manager):
    agreement = Agreement.objects.get()
    manager.post(
        f"/partners/agreements/{agreement.pk}/",
        {
            "form": "article",
            "number": "9",
            "title": "Promosi bersama",
            "text": "Para pihak mempromosikan.",
        },
    )
    manager.post(
        f"/partners/agreements/{agreement.pk}/",
        {
            "form": "new_obligation",
            "party": "pos",
            "text": "Memasang spanduk di ruang tunggu.",
        },
    )
    again = manager.post(
        f"/partners/agreements/{agreement.pk}/",
        {
            "form": "article",
            "number": "9",
            "title": "Lagi",
        },
    )
    assert AgreementArticle.objects.filter(agreement=agreement, number="9").count() == 1
    assert "sudah ada" in again.content.decode()
    assert Obligation.objects.filter(text="Memasang spanduk di ruang tunggu.").exists()


def test_a_meeting_edited_into_the_future_as_held_is_refused(manager):
    meeting = EvaluationMeeting.objects.get()
    response = manager.post(
        f"/partners/evaluations/{meeting.pk}/",
        {
            "form": "meeting",
            "held_on": "2099-07-15",
            "status": "held",
            "participants_imigrasi": "A",
            "participants_pos": "B",
        },
    )
    assert response.status_code == 200
    assert "tidak dapat ditandai terlaksana" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.held_on.year == 2019
