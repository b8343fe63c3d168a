"""A member of a travel agency's group signs their own power of attorney through the personal link
of our messages, on a desktop and a 360 px phone: the landing page says the signature is awaited,
the one-time code goes to the member's phone, the signature is drawn on the screen, and the group
page then shows the member signed while another still waits."""

import pytest
from playwright.sync_api import expect

from delivery.manage import links
from delivery.models import GroupBookingItem
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot
from tests.browser.test_applicant_booking import sign
from tests.travel.test_group_members import sent_code

pytestmark = pytest.mark.browser


def test_a_group_member_signs_through_their_link(live_server, demo, screen):
    item = GroupBookingItem.objects.select_related("order", "group").get(name="Muhammad Ilham Syahrir")
    order = item.order
    assert item.poa_signed_at is None  # the demo member who has not signed yet

    # the agency sees who signed and who is still awaited
    login(screen, live_server.url, "travel")
    screen.goto(f"{live_server.url}/groups/{item.group.number}/")
    expect(screen.locator("#waiting")).to_contain_text("1 anggota belum menandatangani")
    expect(screen.locator("#passports")).to_contain_text("Ditandatangani di kertas di loket")
    expect(screen.locator("#passports")).to_contain_text("Menunggu tanda tangan anggota")
    screenshot(screen, f"/tmp/group-page-{screen.viewport_name}.png", full_page=True)
    assert_fits_the_screen(screen)
    assert_accessible(screen)
    screen.context.clear_cookies()

    # the member opens the link of our message
    screen.goto(f"{live_server.url}/m/{links.link_token(order)}/")
    expect(screen.get_by_role("heading", name="Surat kuasa Anda")).to_be_visible()
    expect(screen.get_by_text("Menunggu tanda tangan Anda")).to_be_visible()
    screen.get_by_role("link", name="Tanda tangani surat kuasa saya").click()

    expect(screen.get_by_role("heading", name="Surat kuasa Anda", exact=True)).to_be_visible()
    expect(screen.locator("#poa")).to_contain_text(order.poa_grantee_name)
    assert_accessible(screen)
    screen.get_by_role("button", name="Kirimi saya kode sekali pakai").click()

    expect(screen.get_by_label("Kode sekali pakai")).to_be_visible()
    screen.get_by_label("Kode sekali pakai").fill(sent_code(order))
    screen.get_by_label("Saya memberi kuasa").check()
    sign(screen)
    expect(screen.locator("#signature-state")).to_have_text("Sudah ditandatangani.")
    screenshot(screen, f"/tmp/group-member-poa-{screen.viewport_name}.png", full_page=True)
    assert_fits_the_screen(screen)
    assert_accessible(screen)
    screen.get_by_role("button", name="Tanda tangani surat kuasa").click()

    expect(screen.get_by_role("status").first).to_contain_text("surat kuasa Anda sudah ditandatangani")
    expect(screen.locator("#poa-state")).to_contain_text("Ditandatangani melalui tautan pribadi")
    screenshot(screen, f"/tmp/group-member-poa-signed-{screen.viewport_name}.png", full_page=True)
    assert_accessible(screen)
    item.refresh_from_db()
    assert item.poa_signed_via == "link" and item.poa_signature

    # and the agency's page no longer waits for anyone
    screen.context.clear_cookies()
    login(screen, live_server.url, "travel")
    screen.goto(f"{live_server.url}/groups/{item.group.number}/")
    expect(screen.locator("#passports")).not_to_contain_text("Menunggu tanda tangan anggota")
    expect(screen.locator("#waiting")).to_have_count(0)
