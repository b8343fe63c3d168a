"""The applicant chooses a delivery day and time window on the booking page, on a 360 px phone: the
area's days from its lead time, a full window shown but not choosable, the choice on the review."""

import pytest
from playwright.sync_api import expect

from delivery.booking import windows
from delivery.models import Area, DeliveryWindow, DeliveryWindowDay, OnlineBooking
from demo.names import IMIGRASI_OFFICE
from organisations.models import Office
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot
from tests.browser.test_applicant_booking import RINA_BORN, rina_code, sign
from tests.factories import make_paid_application

pytestmark = pytest.mark.browser


def test_the_applicant_chooses_a_free_delivery_window_on_a_phone(live_server, demo, phone):
    page = phone
    maros = Area.objects.get(code="maros")
    first = windows.first_delivery_day(maros)
    morning = DeliveryWindow.objects.get(area=maros, starts_at="08:00")
    DeliveryWindowDay.objects.create(window=morning, day=first, taken=morning.capacity)  # full

    page.goto(f"{live_server.url}/book/")
    page.get_by_label("Kode billing (15 digit)").fill(rina_code())
    page.get_by_label("Tanggal lahir").fill(RINA_BORN)
    page.get_by_role("button", name="Lanjut").click()
    expect(page.get_by_role("heading", name="Data pengiriman dan surat kuasa")).to_be_visible()
    windows_block = page.locator("#delivery-windows")
    expect(windows_block).to_contain_text("Pilih wilayah, lalu")

    page.get_by_label("Wilayah").select_option(label="Maros: Rp 30.000")
    page.get_by_role("button", name="Tampilkan hari antar untuk wilayah ini").click()
    expect(windows_block).to_contain_text("Pengantaran ke Maros mulai")
    first_day = windows_block.locator("fieldset.window-day").first
    expect(first_day.locator("legend")).to_contain_text(first.strftime("%d-%m-%Y"))
    full = first_day.get_by_role("radio", name="08.00–12.00: penuh")
    expect(full).to_be_disabled()
    afternoon = first_day.get_by_role("radio", name="13.00–17.00: 15 kuota tersisa")
    expect(afternoon).to_be_enabled()
    assert_accessible(page)
    assert_fits_the_screen(page)
    screenshot(page, "/tmp/booking-windows-phone.png", full_page=True)

    afternoon.check()
    page.get_by_label("Alamat pengiriman").fill("Jl. Poros Maros No. 5, Turikale, Maros")
    page.get_by_label("Nomor ponsel").fill("081355512345")
    page.get_by_label("Saya memberi kuasa").check()
    sign(page)
    page.get_by_role("button", name="Lanjut ke pembayaran").click()

    expect(page.get_by_role("heading", name="Periksa dan bayar")).to_be_visible()
    expect(page.locator(".delivery-window")).to_contain_text(f"{first:%d-%m-%Y}, 13.00–17.00 WITA")
    assert_accessible(page)
    screenshot(page, "/tmp/booking-windows-review-phone.png", full_page=True)
    booking = OnlineBooking.objects.get()
    assert (booking.delivery_date, booking.delivery_window.starts_at.hour) == (first, 13)


def test_the_counter_books_a_window_for_the_applicant_on_a_phone(live_server, demo, phone):
    page = phone
    application = make_paid_application({"offices": {"imigrasi": Office.objects.get(name=IMIGRASI_OFFICE)}})
    selayar = Area.objects.get(code="selayar")
    first = windows.first_delivery_day(selayar)
    login(page, live_server.url, "imigrasi")  # the one-door desk
    page.goto(f"{live_server.url}/counter/applications/{application.pk}/book/")
    page.get_by_label("Wilayah").select_option(value=str(selayar.pk))
    page.get_by_role("button", name="Tampilkan hari antar untuk wilayah ini").click()
    block = page.locator("#delivery-windows")
    expect(block).to_contain_text("Pengantaran ke Selayar mulai")
    page.locator("fieldset.window-day").first.get_by_role(
        "radio", name="10.00–15.00: 4 kuota tersisa"
    ).check()
    assert_accessible(page)
    assert_fits_the_screen(page)
    screenshot(page, "/tmp/counter-book-windows-phone.png", full_page=True)
    page.get_by_label("Petugas PT Pos penerima kuasa").fill("Sri Wahyuni")
    page.get_by_label("Nippos", exact=True).fill("995100100")
    page.get_by_label("Pemohon telah menandatangani surat kuasa").check()
    page.get_by_label("Biaya antar telah diterima").check()
    page.get_by_role("button", name="Pesan pengiriman").click()

    expect(page.locator(".delivery-window")).to_contain_text(f"{first:%d-%m-%Y}, 10.00–15.00 WITA")
    assert_accessible(page)
    screenshot(page, "/tmp/counter-order-window-phone.png", full_page=True)
