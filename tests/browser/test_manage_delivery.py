"""Manage my delivery without an account, on a desktop and a 360 px phone: the demo's walk-in
applicant, booked at the Pos counter, opens the personal link of the SMS the demo sent, asks for a
one-time code, and then chooses another day, changes the address and cancels."""

import re

import pytest
from playwright.sync_api import expect

from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryOrder
from demo.seed import MANAGE_DEMO_NAME
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, screenshot
from tests.conftest import sms_for

pytestmark = pytest.mark.browser


def _link_from_the_sms(order: DeliveryOrder) -> str:
    texts = [row["text"] for row in sms_for(order.code)]
    links = [found.group(0) for text in texts if (found := re.search(r"https?://\S+/m/\S+/", text))]
    assert links, texts
    return links[0]


def _code_from_the_sms(order: DeliveryOrder) -> str:
    rows = [row for row in sms_for(order.code) if row["reference"].startswith("manage-code-")]
    return re.search(r"\b(\d{6})\b", rows[-1]["text"]).group(1)


def test_a_walk_in_applicant_reschedules_changes_the_address_and_cancels_through_the_link(
    live_server, demo, screen
):
    order = DeliveryOrder.objects.select_related("application__applicant").get(
        application__applicant__full_name=MANAGE_DEMO_NAME
    )
    applicant = order.application.applicant
    assert applicant.user_id is None  # booked at the counter, never made an account
    link = _link_from_the_sms(order)
    path = link[link.index("/m/") :]

    # The link shows what the tracking page shows, no more.
    screen.goto(f"{live_server.url}{path}")
    expect(screen.get_by_role("heading", level=2).first).to_contain_text(order.code)
    page = screen.content()
    for personal in (applicant.full_name, applicant.phone, applicant.address, applicant.nik):
        assert personal not in page
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/manage-link-{screen.viewport_name}.png", full_page=True)

    # A one-time code to the phone on file, typed on the next page.
    screen.get_by_role("button", name="Kirimi saya kode sekali pakai").click()
    expect(screen.get_by_role("heading", level=1)).to_have_text("Kode sekali pakai Anda")
    assert applicant.phone not in screen.content()  # shown masked
    from delivery.manage.access import manage_code_send
    from delivery.models import ManageCode

    # The worker's task, run here (the browser tests run no worker).
    manage_code_send(code_id=ManageCode.objects.filter(order=order).latest("pk").pk)
    screen.get_by_label("Kode sekali pakai").fill(
        "000000" if _code_from_the_sms(order) != "000000" else "111111"
    )
    screen.get_by_role("button", name="Konfirmasi").click()
    expect(screen.get_by_role("alert").or_(screen.locator(".errorlist")).first).to_contain_text(
        "Sisa percobaan"
    )
    screen.get_by_label("Kode sekali pakai").fill(_code_from_the_sms(order))
    screen.get_by_role("button", name="Konfirmasi").click()
    expect(screen.get_by_role("heading", level=1)).to_contain_text("Atur pengiriman saya")
    assert "/manage/" in screen.url and applicant.birth_date.isoformat() not in screen.url
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/manage-home-{screen.viewport_name}.png", full_page=True)

    # Another day and window.
    screen.get_by_role("link", name="Pilih hari pengantaran lain").click()
    slots = screen.locator('input[name="delivery_slot"]:not([disabled])')
    slots.nth(2).check()
    chosen = slots.nth(2).get_attribute("value")
    assert_accessible(screen)
    screen.get_by_role("button", name="Kirim").click()
    expect(screen.get_by_role("status").first).to_contain_text("kurir akan datang")
    order.refresh_from_db()
    assert f"{order.delivery_date.isoformat()}" in chosen
    expect(screen.locator("#manage-window")).to_be_visible()

    # Another address, confirmed after the fee is shown.
    screen.get_by_role("link", name="Ubah alamat pengiriman").click()
    screen.get_by_label("Alamat pengiriman").fill("Jl. Andi Pangerang Pettarani No. 9, Makassar")
    screen.get_by_role("button", name="Tampilkan biaya").click()
    expect(screen.locator("#fee-difference")).to_be_visible()
    assert_accessible(screen)
    screen.get_by_role("button", name="Konfirmasi alamat baru").click()
    expect(screen.locator("#manage-address")).to_contain_text("Andi Pangerang Pettarani No. 9")

    # Cancel: the refund rule first; nothing happens until the box is ticked.
    screen.get_by_role("link", name="Batalkan pengiriman").click()
    expect(screen.locator("#refund-rule")).to_contain_text("dikembalikan penuh")
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/manage-cancel-{screen.viewport_name}.png", full_page=True)
    screen.get_by_role("button", name="Batalkan pengiriman").click()
    expect(screen.locator(".errorlist").first).to_contain_text("Centang kotak ini")
    order.refresh_from_db()
    assert order.status == S.BOOKED
    screen.get_by_label("Saya mengerti", exact=False).check()
    screen.get_by_role("button", name="Batalkan pengiriman").click()
    expect(screen.locator("#manage-status")).to_have_text("Dibatalkan")
    order.refresh_from_db()
    assert order.status == S.CANCELLED
