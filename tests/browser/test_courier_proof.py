"""At the door, on a phone with no network: a mistyped code is caught by its check digit before
anything is queued; a stand-in needs the applicant's code and a photo of the written authorisation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from delivery.choices import DeliveryStatus as S
from delivery.handoff import codes
from delivery.models import DeliveryCode, ProofOfDelivery
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, screenshot
from tests.browser.test_courier_run import fill_id, open_run, png_bytes, sign
from tests.factories import make_order

pytestmark = pytest.mark.browser


def test_offline_a_typo_is_caught_and_a_stand_in_needs_the_authorisation_photo(live_server, tx_ref, phone):
    order = make_order(tx_ref, S.OUT_FOR_DELIVERY)
    right = codes.delivery_code_reveal(order_id=order.pk)
    swapped = next(
        right[:i] + right[i + 1] + right[i] + right[i + 2 :] for i in range(5) if right[i] != right[i + 1]
    )
    open_run(phone, live_server.url)
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator("#net")).to_have_text("Luring: pembaruan disimpan di ponsel ini")
    card = phone.locator(f"#order-{order.code}")

    # a stand-in, with two neighbouring digits of the code swapped: caught on the phone
    card.get_by_text("Serahkan paspor").click()
    card.get_by_role("radio", name="Wakil penerima").check()
    card.get_by_label("Kode pengantaran pemohon").fill(swapped)
    fill_id(card, "SIM (surat izin mengemudi)", "b12x")
    card.get_by_label("Nama wakil penerima").fill("Rina Marlina")
    card.get_by_label("Hubungan dengan pemohon").fill("Kakak")
    sign(card)
    card.get_by_role("button", name="Catat penyerahan").click()
    expect(card.get_by_role("alert").first).to_contain_text("Ini bukan kode pengantaran")
    expect(phone.locator("#queue-count")).to_have_text("0")

    # the right code, but no photo of the authorisation: refused on the phone
    card.get_by_label("Kode pengantaran pemohon").fill(right)
    card.get_by_role("button", name="Catat penyerahan").click()
    expect(card.get_by_role("alert").first).to_contain_text("surat kuasa tertulis")
    expect(phone.locator("#queue-count")).to_have_text("0")
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    screenshot(phone, "/tmp/kurir-stand-in-refused.png", full_page=False)

    # with the photo it waits in the queue, and arrives once back online
    card.get_by_label("Foto surat kuasa tertulis dari pemohon (wajib)").set_input_files(
        files=[{"name": "kuasa.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    assert_accessible(phone)
    screenshot(phone, "/tmp/kurir-stand-in-form.png", full_page=False)
    card.get_by_role("button", name="Catat penyerahan").click()
    expect(phone.locator("#queue-count")).to_have_text("1")
    phone.context.set_offline(False)
    expect(phone.locator("#queue-count")).to_have_text("0", timeout=20_000)
    expect(card.locator(".run-status")).to_have_text("Terkirim")

    stored = ProofOfDelivery.objects.get(order=order)
    assert (stored.receiver_kind, stored.id_type, stored.id_last_four) == ("stand_in", "sim", "B12X")
    assert stored.authorisation_photo.size > 0
    assert DeliveryCode.objects.get(order=order).used_at is not None
    assert not order.problems.exists()  # the typo never reached the server


def test_on_a_phone_set_to_english_the_indonesian_page_stays_indonesian_after_an_update(
    live_server, tx_ref, browser
):
    from tests.browser.conftest import BYPASS_CSP, VIEWPORTS

    context = browser.new_context(
        locale="en-US", timezone_id="Asia/Makassar", **VIEWPORTS["phone"], **BYPASS_CSP
    )
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    try:
        order = make_order(tx_ref, S.OUT_FOR_DELIVERY)
        open_run(phone, live_server.url)
        card = phone.locator(f"#order-{order.code}")
        expect(card.locator(".run-status")).to_have_text("Sedang diantar")
        card.get_by_text("Serahkan paspor").click()
        card.get_by_label("Kode pengantaran pemohon").fill(codes.delivery_code_reveal(order_id=order.pk))
        fill_id(card)
        sign(card)
        card.get_by_role("button", name="Catat penyerahan").click()
        expect(phone.locator("#queue-count")).to_have_text("0", timeout=20_000)
        # the label comes from the API's answer: in the page's language, not the phone's
        expect(card.locator(".run-status")).to_have_text("Terkirim")
        assert_accessible(phone)
        screenshot(phone, "/tmp/kurir-english-phone.png", full_page=False)
    finally:
        context.close()
