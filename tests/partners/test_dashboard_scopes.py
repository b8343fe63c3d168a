"""The dashboard per office, per region and for all of Indonesia: the same figures read for the
orders, complaints, ratings and money of the chosen offices only, before and after the monthly
roll-up; the page, its exports and the API take the same choice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from delivery.choices import DeliveryStatus as S
from delivery.money.fees import delivery_fee_take
from ledger.choices import Channel
from organisations.models import Office
from partners import selectors, services
from partners.scopes import scope_resolve, scopes_for
from partners.tasks import roll_up_figures
from tests.factories import make_order, second_office_ref

pytestmark = pytest.mark.django_db


def _this_month() -> selectors.Period:
    today = timezone.localdate()
    first = dt.date(today.year, today.month, 1)
    return selectors.Period(start=first, end=first)


def _delivered(board) -> int:
    return board.uptake[-1].rows[-1].delivered


@pytest.fixture
def two_regions(ref):
    """Makassar (Sulawesi Selatan) with two deliveries, Parepare (put in Sulawesi Barat for the
    test) with one, each delivery fee taken at its own Pos counter."""
    parepare = second_office_ref(ref)
    Office.objects.filter(pk=ref["offices"]["imigrasi"].pk).update(region="Sulawesi Selatan")
    Office.objects.filter(pk=parepare["offices"]["imigrasi"].pk).update(region="Sulawesi Barat")
    for office_ref, count in ((ref, 2), (parepare, 1)):
        for _ in range(count):
            order = make_order(office_ref, S.DELIVERED)
            delivery_fee_take(
                order=order,
                amount=order.delivery_fee,
                receipt_number=f"DF-{order.code}",
                actor=None,
                channel=Channel.POS_COUNTER,
            )
    today = timezone.localdate()
    for manager, issued in (
        (ref["users"]["manajer.imigrasi"], 100),
        (parepare["users"]["manajer.imigrasi"], 50),
    ):
        services.uptake_month_enter(year=today.year, month=today.month, issued=issued, actor=manager)
    return ref, parepare


def test_each_scope_counts_its_own_offices_before_and_after_the_roll_up(two_regions):
    ref, parepare = two_regions
    admin = ref["users"]["admin"]
    makassar = f"office:{ref['offices']['imigrasi'].pk}"
    # delivered, and passports issued as each office's Imigrasi entered them
    expected = {
        "national": (3, 150),
        "region:Sulawesi Selatan": (2, 100),
        "region:Sulawesi Barat": (1, 50),
        makassar: (2, 100),
    }
    for rolled in (False, True):
        if rolled:
            roll_up_figures()
            roll_up_figures()  # the second run counts what the first one saw
        for key, (delivered, issued) in expected.items():
            board = selectors.dashboard(period=_this_month(), scope=scope_resolve(admin, key))
            assert _delivered(board) == delivered, (key, rolled)
            assert board.uptake[-1].rows[-1].issued == issued, (key, rolled)
    fee = ref["areas"]["makassar"].delivery_fee
    money = selectors.dashboard(period=_this_month(), scope=scope_resolve(admin, makassar)).money
    assert money.total.delivery_fees == 2 * fee
    national = selectors.dashboard(period=_this_month(), scope=scope_resolve(admin, "national")).money
    assert national.total.delivery_fees == 3 * fee


def test_a_manager_is_offered_the_nation_then_their_own_office(two_regions):
    ref, parepare = two_regions
    keys = [scope.key for scope in scopes_for(parepare["users"]["manajer.pos"])]
    assert keys[:2] == ["national", f"office:{parepare['offices']['imigrasi'].pk}"]
    assert "region:Sulawesi Selatan" in keys


def test_the_page_and_the_api_take_the_scope_and_refuse_an_unknown_one(two_regions):
    ref, _parepare = two_regions
    makassar = ref["offices"]["imigrasi"]
    page = Client()
    page.force_login(ref["users"]["manajer.imigrasi"])
    html = page.get("/partners/dashboard/", {"scope": f"office:{makassar.pk}"}).content.decode()
    assert f"<strong>{makassar.name}</strong>" in html
    csv = page.get("/partners/dashboard/export.csv", {"scope": "region:Sulawesi Barat"})
    assert csv.status_code == 200

    api = APIClient()
    api.force_authenticate(ref["users"]["manajer.imigrasi"])
    answer = api.get("/api/v1/partners/dashboard/", {"scope": "region:Sulawesi Selatan"})
    assert answer.status_code == 200 and answer.json()["scope"]["key"] == "region:Sulawesi Selatan"
    refused = api.get("/api/v1/partners/dashboard/", {"scope": "office:999999"})
    assert refused.status_code == 400 and "scope" in refused.json()["fields"], refused.content
