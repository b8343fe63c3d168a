"""Delivery days and windows over /api/v1/: the free windows of an area, a booking with a day and a
window, and the refusals (full, not offered) as 400 in the caller's language."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from delivery.booking import windows
from delivery.models import DeliveryOrder, DeliveryWindow
from tests.factories import make_paid_application

pytestmark = pytest.mark.django_db


def booking_body(application, **extra):
    return {
        "application_id": application.pk,
        "destination_kind": "home",
        "address": "Jl. Poros Maros 3, Turikale",
        "area": "maros",
        "recipient_phone": "081234567891",
        "poa_grantee_name": "Sri Wahyuni",
        "poa_grantee_nippos": "995100100",
        "poa_grantee_place": "PT Pos Indonesia Cabang Makassar",
        "fee_received": True,
        **extra,
    }


def test_the_free_windows_of_an_area_and_a_counter_booking_in_one(ref):
    anyone = APIClient()
    listed = anyone.get("/api/v1/areas/maros/windows/")
    assert listed.status_code == 200, listed.json()
    body = listed.json()
    first = windows.first_delivery_day(ref["areas"]["maros"])
    assert body["lead_days"] == 2 and body["first_date"] == first.isoformat()
    assert body["days"][0]["date"] == first.isoformat()
    morning = body["days"][0]["windows"][0]
    assert (morning["starts_at"], morning["ends_at"], morning["free"]) == ("08:00", "12:00", 15)

    later = (first + dt.timedelta(days=7)).isoformat()
    assert all(
        day["date"] >= later
        for day in anyone.get(f"/api/v1/areas/maros/windows/?from={later}").json()["days"]
    )
    assert anyone.get("/api/v1/areas/atlantis/windows/").status_code == 404
    bad = anyone.get("/api/v1/areas/maros/windows/?from=besok")
    assert bad.status_code == 400 and "from" in bad.json()["fields"]

    pos = APIClient()
    pos.force_login(ref["users"]["imigrasi"])  # the one-door desk books too
    DeliveryWindow.objects.filter(pk=morning["id"]).update(capacity=1)
    booked = pos.post(
        "/api/v1/counter/bookings/",
        booking_body(make_paid_application(ref), delivery_date=first.isoformat(), window=morning["id"]),
        format="json",
    )
    assert booked.status_code == 201, booked.json()
    assert booked.json()["delivery_date"] == first.isoformat()
    assert booked.json()["delivery_window"] == "08.00\u201312.00"
    assert anyone.get("/api/v1/areas/maros/windows/").json()["days"][0]["windows"][0]["free"] == 0

    application = make_paid_application(ref)
    full = pos.post(
        "/api/v1/counter/bookings/",
        booking_body(application, delivery_date=first.isoformat(), window=morning["id"]),
        format="json",
    )
    assert full.status_code == 400
    assert full.json()["code"] == "window_full"
    assert "penuh" in full.json()["message"] and full.json()["fields"]["window"]
    english = pos.post(
        "/api/v1/counter/bookings/",
        booking_body(application, delivery_date=first.isoformat(), window=morning["id"]),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.status_code == 400 and "full" in english.json()["message"]
    too_early = pos.post(
        "/api/v1/counter/bookings/",
        booking_body(application, delivery_date=dt.date.today().isoformat(), window=morning["id"]),
        format="json",
    )
    assert too_early.status_code == 400 and too_early.json()["code"] == "window_not_offered"
    assert not DeliveryOrder.objects.filter(application=application).exists()
