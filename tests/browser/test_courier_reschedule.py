"""The applicant chooses another day and address after a failed attempt, on a phone."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from delivery.booking.windows import first_delivery_day
from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryWindow, DeliveryWindowDay, RescheduleRequest
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot
from tests.factories import make_order

pytestmark = pytest.mark.browser


def test_the_applicant_picks_another_day_and_address(live_server, tx_ref, phone):
    order = make_order(tx_ref, S.FAILED_ATTEMPT, owner=tx_ref["users"]["pemohon"])
    DeliveryWindow.objects.filter(area=order.area).update(active=False)  # an area without windows
    login(phone, live_server.url, "pemohon")
    phone.goto(f"{live_server.url}/orders/{order.code}/new-day/")
    expect(phone.get_by_role("heading", name=f"Hari atau alamat lain: {order.code}")).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    screenshot(phone, "/tmp/kurir-reschedule.png", full_page=True)

    # a day in the past is refused with a clear message
    phone.get_by_label("Hari yang diinginkan").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    phone.get_by_role("button", name="Kirim").click()
    expect(phone.locator(".errorlist")).to_contain_text("Pilih hari antara hari ini")

    day = timezone.localdate() + dt.timedelta(days=3)
    phone.get_by_label("Hari yang diinginkan").fill(day.isoformat())
    phone.get_by_label("Alamat baru di wilayah yang sama (opsional)").fill(
        "Jl. Sultan Alauddin No. 5, Makassar"
    )
    phone.get_by_role("button", name="Kirim").click()
    expect(phone.get_by_role("status")).to_contain_text("kurir akan datang pada hari yang Anda pilih")
    request = RescheduleRequest.objects.get(order=order)
    assert (request.preferred_date, request.new_address) == (day, "Jl. Sultan Alauddin No. 5, Makassar")


def test_in_an_area_with_windows_the_new_day_comes_with_a_window(live_server, tx_ref, phone):
    order = make_order(tx_ref, S.FAILED_ATTEMPT, owner=tx_ref["users"]["pemohon"])
    first = first_delivery_day(order.area)
    login(phone, live_server.url, "pemohon")
    phone.goto(f"{live_server.url}/orders/{order.code}/new-day/")
    windows = phone.locator("#delivery-windows")
    expect(windows).to_contain_text("Pengantaran ke Makassar mulai")
    expect(phone.get_by_label("Hari yang diinginkan")).to_have_count(0)
    # nothing chosen: asked for a day and time
    phone.get_by_role("button", name="Kirim").click()
    expect(windows.get_by_role("alert")).to_contain_text("Pilih hari dan jam antar")
    assert_accessible(phone)
    assert_fits_the_screen(phone)
    screenshot(phone, "/tmp/kurir-reschedule-windows.png", full_page=True)

    windows.locator("fieldset.window-day").first.get_by_role(
        "radio", name="13.00–17.00: 40 kuota tersisa"
    ).check()
    phone.get_by_role("button", name="Kirim").click()
    expect(phone.get_by_role("status")).to_contain_text("kurir akan datang pada hari yang Anda pilih")
    request = RescheduleRequest.objects.get(order=order)
    assert (request.preferred_date, request.delivery_window.starts_at.hour) == (first, 13)
    assert DeliveryWindowDay.objects.get(window=request.delivery_window, day=first).taken == 1
