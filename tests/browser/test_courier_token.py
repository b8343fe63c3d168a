"""The signed QR token at the door, on a phone with no network: a forged, an expired and another
order's token are refused by the phone itself (nothing queued); the right one is queued and delivers
once online, the proof saying it was the QR code. The applicant's order page shows the QR code."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from delivery.choices import DeliveryStatus as S
from delivery.choices import ProofMethod
from delivery.handoff import tokens
from delivery.models import DeliveryCode, ProofOfDelivery
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot
from tests.browser.test_courier_run import fill_id, open_run, sign
from tests.courier.test_delivery_token import FORGER_KEY
from tests.factories import make_order

pytestmark = pytest.mark.browser


def _token(order) -> str:
    return tokens.delivery_token_issue(order=order).token


def test_offline_the_phone_refuses_a_wrong_token_and_queues_the_right_one(live_server, tx_ref, phone):
    order = make_order(tx_ref, S.OUT_FOR_DELIVERY)
    other = make_order(tx_ref, S.OUT_FOR_DELIVERY)
    with override_settings(DELIVERY_TOKEN_SIGNING_KEY=FORGER_KEY):
        forged = _token(order)
    expired = tokens.delivery_token_sign(
        order_code=order.code,
        attempt=tokens.delivery_attempt_number(order),
        expires_at=timezone.now() - dt.timedelta(minutes=5),
    )
    open_run(phone, live_server.url)
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator("#net")).to_have_text("Luring: pembaruan disimpan di ponsel ini")
    card = phone.locator(f"#order-{order.code}")
    card.get_by_text("Serahkan paspor").click()
    field = card.get_by_label("Atau kode QR pemohon")
    fill_id(card)
    sign(card)

    for token, said in (
        (forged, "Kode QR ini bukan dari portal"),
        (expired, "Kode QR ini sudah kedaluwarsa"),
        (_token(other), "Kode QR ini untuk pesanan pengantaran lain"),
    ):
        field.fill(token)
        card.get_by_role("button", name="Catat penyerahan").click()
        expect(card.locator("form[data-action=deliver] .form-error")).to_contain_text(said)
        expect(card.locator(".token-state")).to_contain_text(said)
        expect(phone.locator("#queue-count")).to_have_text("0")
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    screenshot(phone, "/tmp/kurir-token-refused.png", full_page=False)

    # a keyboard-wedge scanner types the token and Enter: checked on the phone, nothing sent yet
    field.fill("")
    field.press_sequentially(_token(order))
    field.press("Enter")
    expect(card.locator(".token-state")).to_have_text("Kode QR sudah diperiksa: benar untuk pengantaran ini.")
    expect(card.locator("form[data-action=deliver] .form-error")).to_have_text("")
    expect(phone.locator("#queue-count")).to_have_text("0")
    assert_accessible(phone)
    screenshot(phone, "/tmp/kurir-token-valid.png", full_page=False)

    card.get_by_role("button", name="Catat penyerahan").click()
    expect(phone.locator("#queue-count")).to_have_text("1")
    phone.context.set_offline(False)
    expect(phone.locator("#queue-count")).to_have_text("0", timeout=20_000)
    expect(card.locator(".run-status")).to_have_text("Terkirim")
    stored = ProofOfDelivery.objects.get(order=order)
    assert stored.proof_method == ProofMethod.TOKEN
    assert DeliveryCode.objects.get(order=order).used_at is not None
    assert not order.problems.exists()  # the refused tokens never reached the server


def test_the_applicant_sees_the_qr_code_of_their_order(live_server, tx_ref, phone):
    order = make_order(tx_ref, S.OUT_FOR_DELIVERY)
    token = _token(order)
    login(phone, live_server.url, order.application.applicant.user.username)
    phone.goto(f"{live_server.url}/orders/{order.code}/")

    expect(phone.get_by_role("heading", name="Kode QR Anda untuk kurir")).to_be_visible()
    image = phone.get_by_role("img", name="Kode QR untuk kurir")
    expect(image).to_be_visible()
    assert image.get_attribute("src").startswith("data:image/png;base64,")
    assert token not in phone.url
    phone.get_by_text("Kode dalam bentuk teks").click()
    expect(phone.locator("#delivery-token")).to_have_text(token)
    # read the QR code itself where the browser can (BarcodeDetector); else the image is the
    # server's rendering of the same token (tests/courier checks it through the API)
    decoded = phone.evaluate(
        """async () => {
            if (!("BarcodeDetector" in window)) { return null; }
            const img = document.getElementById("delivery-qr");
            const codes = await new BarcodeDetector({ formats: ["qr_code"] }).detect(img);
            return codes.length ? codes[0].rawValue : "";
        }"""
    )
    if decoded is not None:
        assert decoded == token
    else:
        png = base64.b64decode(image.get_attribute("src").split(",", 1)[1])
        assert png == base64.b64decode(tokens.delivery_token_qr(token).split(",", 1)[1])
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    screenshot(phone, "/tmp/pemohon-qr.png", full_page=True)
