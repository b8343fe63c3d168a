"""On the courier's phone: an order whose applicant moved it to a dearer area shows the difference to
collect; the delivery is recorded only once the courier ticks that it was collected."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from delivery.handoff import codes
from ledger.choices import MovementKind
from ledger.models import Movement
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, screenshot
from tests.browser.test_courier_run import fill_id, open_run, sign
from tests.conftest import wait_for
from tests.courier.test_door_money import moved_to

pytestmark = pytest.mark.browser


def test_the_courier_collects_the_fee_difference_with_the_delivery(live_server, tx_ref, phone):
    order = moved_to(tx_ref, "selayar")
    due = tx_ref["areas"]["selayar"].delivery_fee - tx_ref["areas"]["makassar"].delivery_fee
    open_run(phone, live_server.url)
    card = phone.locator(f"#order-{order.code}")
    card.get_by_text("Serahkan paspor").click()
    card.get_by_label("Kode pengantaran pemohon").fill(codes.delivery_code_reveal(order_id=order.pk))
    fill_id(card)
    sign(card)
    card.get_by_role("button", name="Catat penyerahan").click()
    expect(card.get_by_role("alert").first).to_contain_text("selisih biaya")
    assert not Movement.objects.filter(order=order, kind=MovementKind.DOOR_COLLECTION).exists()

    door = card.locator('input[name="door_amount"]')
    expect(card.locator(".door-money")).to_contain_text("Rp " + f"{due:,}".replace(",", "."))
    door.check()
    assert_accessible(phone)
    assert_fits_the_screen(phone)
    screenshot(phone, "/tmp/kurir-door-money.png", full_page=False)
    card.get_by_role("button", name="Catat penyerahan").click()
    expect(card.locator(".run-status")).to_have_text("Terkirim", timeout=20_000)
    wait_for(lambda: Movement.objects.filter(order=order, kind=MovementKind.DOOR_COLLECTION).exists())
    assert Movement.objects.get(order=order, kind=MovementKind.DOOR_COLLECTION).amount == due
