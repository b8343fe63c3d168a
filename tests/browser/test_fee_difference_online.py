"""The fee difference of an address change, paid online from "manage my delivery", on a desktop
and a 360 px phone: the amount confirmed first, the payment in progress, then paid and nothing left
for the courier to collect."""

import pytest
from playwright.sync_api import expect

from delivery.manage import links
from delivery.manage.access import manage_code_send
from delivery.models import FeeDifferencePayment, ManageCode
from delivery.money.difference import fee_difference_settle
from delivery.money.door import door_amount_due
from tests.applicant.test_fee_difference_online import moved_to_selayar
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, screenshot
from tests.browser.test_manage_delivery import _code_from_the_sms

pytestmark = pytest.mark.browser


def test_an_applicant_pays_the_difference_online_and_the_courier_has_nothing_to_collect(
    live_server, tx_ref, screen, no_worker_runs
):
    order = moved_to_selayar(tx_ref)
    due = door_amount_due(order)
    amount = f"Rp {due:,}".replace(",", ".")
    screen.goto(f"{live_server.url}/m/{links.link_token(order)}/")
    screen.get_by_role("button", name="Kirimi saya kode sekali pakai").click()
    # The worker's task, run here (the browser tests run no worker).
    manage_code_send(code_id=ManageCode.objects.filter(order=order).latest("pk").pk)
    screen.get_by_label("Kode sekali pakai").fill(_code_from_the_sms(order))
    screen.get_by_role("button", name="Konfirmasi").click()

    section = screen.locator("#difference-payment")
    expect(section).to_contain_text(f"{amount} masih terbuka")
    screen.get_by_role("link", name="Bayar selisih secara daring").click()
    expect(screen.locator("#difference-amount")).to_contain_text(amount)
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/manage-pay-difference-{screen.viewport_name}.png", full_page=True)
    assert not FeeDifferencePayment.objects.filter(order=order).exists()  # nothing before the button

    screen.get_by_role("button", name=f"Bayar {amount} sekarang").click()
    expect(section).to_contain_text(f"Pembayaran Anda sebesar {amount} sedang diproses")
    assert_accessible(screen)
    # The payment system's answer, as the worker's task takes it.
    fee_difference_settle(payment_id=FeeDifferencePayment.objects.get(order=order).pk)
    screen.get_by_role("link", name="Periksa lagi").click()
    expect(section).to_contain_text(f"Dibayar daring: {amount}")
    expect(section).to_contain_text("Kurir tidak perlu menagih apa pun.")
    assert_accessible(screen)
    screenshot(screen, f"/tmp/manage-difference-paid-{screen.viewport_name}.png", full_page=True)
    assert door_amount_due(order) == 0
