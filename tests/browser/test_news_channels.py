"""The applicant chooses how to hear of each step (SMS, WhatsApp, email) on the online booking page
and at the counter, on a desktop and a 360 px phone; at least one, and WhatsApp is their opt-in."""

import re

import pytest
from playwright.sync_api import expect

from delivery.models import DeliveryOrder, OnlineBooking, WhatsAppOptIn
from passports.models import PassportApplication
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot
from tests.browser.test_applicant_booking import RINA_BORN, fill_details, rina_code, sign

pytestmark = pytest.mark.browser

QUESTION = "Lewat apa kami kabari setiap langkahnya?"


def test_the_applicant_chooses_whatsapp_when_booking_online(live_server, demo, screen):
    page = screen
    page.goto(f"{live_server.url}/book/")
    page.get_by_label("Kode billing (15 digit)").fill(rina_code())
    page.get_by_label("Tanggal lahir").fill(RINA_BORN)
    page.get_by_role("button", name="Lanjut").click()

    channels = page.get_by_role("group", name=QUESTION)
    expect(channels).to_be_visible()
    expect(channels.get_by_label("SMS", exact=True)).to_be_checked()
    expect(channels.get_by_label("Email", exact=True)).to_be_checked()
    whatsapp = channels.get_by_label("WhatsApp (saya setuju", exact=False)
    expect(whatsapp).not_to_be_checked()

    # none ticked: refused, with the reason next to the choice
    channels.get_by_label("SMS", exact=True).uncheck()
    channels.get_by_label("Email", exact=True).uncheck()
    fill_details(page)
    page.get_by_role("button", name="Lanjut ke pembayaran").click()
    expect(page.get_by_role("group", name=QUESTION)).to_contain_text("Pilih minimal satu cara menerima kabar")
    assert not OnlineBooking.objects.exists()
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.get_by_role("group", name=QUESTION).scroll_into_view_if_needed()
    screenshot(page, f"/tmp/news-channels-refused-{page.viewport_name}.png", full_page=True)

    # WhatsApp only
    page.get_by_role("group", name=QUESTION).get_by_label("WhatsApp (saya setuju", exact=False).check()
    page.get_by_label("Saya memberi kuasa").check()
    sign(page)
    page.get_by_role("button", name="Lanjut ke pembayaran").click()
    expect(page.get_by_role("heading", name="Periksa dan bayar")).to_be_visible()
    booking = OnlineBooking.objects.get()
    assert booking.news_channels == "whatsapp" and booking.whatsapp_opt_in_at is not None


def test_the_counter_officer_records_the_applicants_choice(live_server, demo, screen):
    application = PassportApplication.objects.get(
        applicant__user__username="pemohon", delivery_order__isnull=True
    )
    page = screen
    login(page, live_server.url, "imigrasi")  # the one-door desk at Imigrasi books for Pos
    page.goto(f"{live_server.url}/counter/applications/{application.pk}/book/")
    channels = page.get_by_role("group", name=QUESTION)
    expect(channels.get_by_label("SMS", exact=True)).to_be_checked()
    assert_accessible(page)
    assert_fits_the_screen(page)
    channels.scroll_into_view_if_needed()
    screenshot(page, f"/tmp/news-channels-counter-{page.viewport_name}.png", full_page=True)

    channels.get_by_label("Email", exact=True).uncheck()
    channels.get_by_label("WhatsApp (saya setuju", exact=False).check()
    page.get_by_label("Wilayah").select_option(index=1)
    page.get_by_label("Petugas PT Pos penerima kuasa").fill("Sri Wahyuni")
    page.get_by_label("Nippos").fill("995100100")
    page.get_by_label("Pemohon telah menandatangani surat kuasa").check()
    page.get_by_label("Biaya antar telah diterima").check()
    page.get_by_role("button", name="Pesan pengiriman").click()
    page.wait_for_url(re.compile(r"/orders/AP"))

    order = DeliveryOrder.objects.get(application=application)
    assert (order.notify_by_sms, order.notify_by_whatsapp, order.notify_by_email) == (True, True, False)
    opt_in = WhatsAppOptIn.objects.get(applicant=application.applicant)
    assert (opt_in.method, opt_in.recorded_by.username) == ("counter", "imigrasi")
