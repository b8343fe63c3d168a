"""The dispatcher's board of every courier's run, on a phone and on a desktop."""

import re

import pytest
from playwright.sync_api import expect

from delivery.choices import DeliveryStatus as S
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot
from tests.factories import earlier_today, make_order

pytestmark = pytest.mark.browser


def test_the_dispatcher_sees_every_run_and_moves_an_order_before_it_goes_out(live_server, tx_ref, screen):
    waiting = make_order(tx_ref, S.WITH_DELIVERY_SECTION, courier="kurir")
    out = make_order(tx_ref, S.OUT_FOR_DELIVERY, courier="kurir")
    make_order(tx_ref, S.DELIVERED, courier="kurir2", at=earlier_today())

    login(screen, live_server.url, "pos.antaran")
    screen.get_by_role("link", name="Rute para kurir").click()
    expect(screen.get_by_role("heading", name="Rute para kurir")).to_be_visible()
    irfan = screen.locator("section", has=screen.get_by_role("heading", name="Irfan Syam"))
    dewi = screen.locator("section", has=screen.get_by_role("heading", name="Dewi Lestari"))
    expect(irfan).to_contain_text("1 menunggu")
    expect(irfan).to_contain_text("1 sedang diantar")
    expect(dewi).to_contain_text("1 terkirim")
    expect(irfan).to_contain_text(re.compile(r"Sinkron terakhir: \d\d-\d\d-\d{4} \d\d:\d\d WITA"))
    # an order already out for delivery cannot be moved
    expect(screen.get_by_role("button", name=f"Pindahkan {out.code}")).to_have_count(0)
    assert_fits_the_screen(screen)
    assert_accessible(screen)
    screenshot(screen, f"/tmp/kurir-board-{screen.viewport_name}.png", full_page=True)

    screen.get_by_label("Pindahkan ke kurir").select_option(label="Dewi Lestari")
    screen.get_by_role("button", name=f"Pindahkan {waiting.code}").click()

    expect(screen.get_by_role("status")).to_contain_text(f"{waiting.code} dipindahkan ke Dewi Lestari")
    expect(dewi).to_contain_text(waiting.code)
    waiting.refresh_from_db()
    assert waiting.courier == tx_ref["couriers"]["kurir2"]
    assert_accessible(screen)


def test_a_courier_cannot_open_the_board(live_server, tx_ref, phone):
    login(phone, live_server.url, "kurir")
    phone.goto(f"{live_server.url}/courier/dispatcher/")
    expect(phone.get_by_role("status")).to_contain_text(
        "Papan kurir hanya untuk petugas pengatur pengantaran"
    )
