"""The partnership dashboard for one office, one region or all of Indonesia, chosen on the page
(desktop and phone, axe-core): the heading names the choice and the figures follow it."""

import pytest
from playwright.sync_api import expect

from demo.names import IMIGRASI_OFFICE
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot

pytestmark = pytest.mark.browser


def test_a_manager_chooses_their_office_then_their_region(live_server, demo, screen):
    login(screen, live_server.url, "manajer.imigrasi")
    screen.goto(f"{live_server.url}/partners/dashboard/")
    expect(screen.locator("#dashboard-scope")).to_contain_text("Seluruh Indonesia")

    chooser = screen.locator("select[name=scope]")
    chooser.select_option(label=IMIGRASI_OFFICE)
    screen.get_by_role("button", name="Tampilkan").click()
    expect(screen.locator("#dashboard-scope")).to_contain_text(IMIGRASI_OFFICE)
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/dashboard-office-{screen.viewport_name}.png", full_page=False)

    screen.locator("select[name=scope]").select_option(label="Kanwil Sulawesi Selatan")
    screen.get_by_role("button", name="Tampilkan").click()
    expect(screen.locator("#dashboard-scope")).to_contain_text("Kanwil Sulawesi Selatan")
    assert "scope=region" in screen.url
    assert_accessible(screen)
