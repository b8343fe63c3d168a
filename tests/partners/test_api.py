"""The partnership over the API: figures, agreements, meetings and disputes, with 4xx refusals."""

import pytest
from rest_framework.test import APIClient

from demo.partnership import partnership_demo_load


@pytest.fixture
def api(ref):
    partnership_demo_load()
    client = APIClient()
    client.force_authenticate(ref["users"]["manajer.imigrasi"])
    return client


def test_the_dashboard_figures_match_the_study(api):
    body = api.get("/api/v1/partners/dashboard/", {"start": "2018-01", "end": "2019-12"}).json()
    years = {y["year"]: y for y in body["uptake"]}
    assert (years[2018]["issued"], years[2018]["delivered"], years[2018]["share"]) == (62518, 775, "1.23")
    assert (years[2019]["issued"], years[2019]["delivered"], years[2019]["share"]) == (65630, 1516, "2.30")
    assert years[2018]["months"][0]["delivered"] is None
    assert [c["leg"] for c in body["compliance"]] == ["step5", "step6", "step7"]


def test_the_agreement_carries_both_numbers_as_free_text(api):
    [agreement] = api.get("/api/v1/partners/agreements/").json()["results"]
    assert agreement["number_pos"] == "518-MS/REGIONAL-10/2017"
    assert agreement["number_imigrasi"] == "W.23.IMI.FB.H.H.05.05-2177"
    assert "7" in [a["number"] for a in agreement["articles"]]


def test_a_meeting_in_the_future_marked_held_is_a_400(api):
    response = api.post(
        "/api/v1/partners/evaluations/",
        {
            "held_on": "2099-01-01",
            "status": "held",
            "participants_imigrasi": "A",
            "participants_pos": "B",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"
    assert "status" in response.json()["fields"]


def test_a_dispute_opened_through_the_api(api):
    response = api.post(
        "/api/v1/partners/disputes/", {"subject": "Biaya", "description": "Pasal 12"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["opened_by_party"] == "imigrasi"
    assert len(api.get("/api/v1/partners/disputes/").json()) == 1


def test_a_courier_gets_403(ref):
    client = APIClient()
    client.force_authenticate(ref["users"]["kurir"])
    assert client.get("/api/v1/partners/dashboard/").status_code == 403
