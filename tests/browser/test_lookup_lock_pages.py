"""The pages of the lookup lock and of a locked delivery code, as people see them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from delivery.handoff import codes
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot

pytestmark = pytest.mark.browser


def test_a_locked_complaint_link_says_to_wait(live_server, tx_ref, phone):
    from complaints.services import complaint_open

    opened = complaint_open(
        client="192.0.2.1", category="late", text="Paspor belum sampai.", contact_phone="081234567890"
    )
    ticket = opened.complaint.ticket
    for _ in range(10):
        phone.goto(f"{live_server.url}/complaints/t/{ticket}/{'0' * 32}/")
    phone.goto(f"{live_server.url}/complaints/t/{ticket}/{opened.secret}/")
    expect(phone.get_by_role("heading", name="Mohon tunggu")).to_be_visible()
    expect(phone.get_by_role("alert")).to_contain_text("tunggu 15 menit")
    assert_accessible(phone)
    assert_fits_the_screen(phone)
    screenshot(phone, "/tmp/lock-complaint-link.png", full_page=True)


def test_the_dispatcher_unlocks_a_locked_delivery_code(live_server, tx_ref, screen):
    from core.exceptions import DomainError
    from delivery.choices import DeliveryStatus as S
    from delivery.courier import proof
    from delivery.models import DeliveryCode
    from tests.courier.helpers import image_data_url
    from tests.factories import make_order

    order = make_order(tx_ref, S.OUT_FOR_DELIVERY, courier="kurir")
    right = codes.delivery_code_reveal(order_id=order.pk)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(DomainError):
            proof.delivery_order_deliver_with_proof(
                order_code=order.code,
                actor=tx_ref["couriers"]["kurir"].user,
                receiver_kind="applicant",
                id_type="ktp",
                id_last_four="0001",
                code=wrong,
                signature=image_data_url(),
            )
    login(screen, live_server.url, "pos.antaran")
    screen.goto(f"{live_server.url}/orders/{order.code}/")
    expect(screen.get_by_role("heading", name="Kode antar terkunci")).to_be_visible()
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/lock-code-{screen.viewport_name}.png", full_page=True)
    screen.get_by_role("button", name="Buka kunci kode antar").click()
    expect(screen.get_by_text("Kunci kode antar dibuka")).to_be_visible()
    expect(screen.get_by_role("heading", name="Kode antar terkunci")).to_have_count(0)
    assert DeliveryCode.objects.get(order=order).failed_attempts == 0
