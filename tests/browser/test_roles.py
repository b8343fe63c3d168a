"""Each role logs in and sees its own work queue, on a desktop and on a 360 px phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, login_through_the_form

pytestmark = pytest.mark.browser

# username, a heading of its queue (Bahasa Indonesia), a demo order that must be listed
ROLE_HOMES = [
    ("pemohon", "Pengiriman paspor saya", "APDEMO01"),
    ("imigrasi", "Berkas diterima: produksi paspor", "APDEMO05"),
    ("pos.layanan", "Sudah dipesan: serahkan berkas ke Imigrasi", "APDEMO02"),
    ("pos.antaran", "Di bagian pengantaran: tugaskan dan kirim", "APDEMO16"),
    ("kurir", "Rute hari ini", "APDEMO15"),
    ("manajer.pos", "Tenggat terlewati", "APDEMO05"),
    ("travel", "Pengiriman yang dipesan biro Anda", "APDEMO27"),
    ("admin", "Tenggat terlewati", "APDEMO05"),
]


@pytest.mark.parametrize(("username", "heading", "order_code"), ROLE_HOMES)
def test_each_role_sees_its_work_queue(live_server, demo, screen, username, heading, order_code):
    login_through_the_form(screen, live_server.url, username)  # every role through the real login

    expect(screen.get_by_role("heading", name=re.compile(re.escape(heading)))).to_be_visible()
    if username == "kurir":  # a courier lands on the courier app (accounts/homes.py)
        expect(screen).to_have_url(re.compile(r"/courier/$"))
        expect(screen.locator(f"#order-{order_code}")).to_be_visible()
    else:
        expect(screen.get_by_role("link", name=order_code)).to_be_visible()
    assert_fits_the_screen(screen)
    assert_accessible(screen)


def test_wrong_password_shows_a_clear_message(live_server, demo, desktop):
    login_through_the_form(desktop, live_server.url, "pos.layanan", password="salah-sandi")
    expect(desktop.get_by_role("alert")).to_contain_text("Nama pengguna atau kata sandi salah")
    assert_accessible(desktop)


def test_the_language_switch_turns_the_page_english(live_server, demo, desktop):
    login(desktop, live_server.url, "imigrasi")
    desktop.get_by_role("navigation", name="Bahasa").get_by_role("link", name="English").click()
    expect(
        desktop.get_by_role("heading", name=re.compile("Dossiers received: produce the passport"))
    ).to_be_visible()
    expect(desktop.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(desktop)
    # The choice sticks: the next page is English too, until switched back.
    desktop.get_by_role("link", name="APDEMO09").click()
    expect(desktop.get_by_role("heading", name=re.compile("Delivery order"))).to_be_visible()
    desktop.get_by_role("navigation", name="Language").get_by_role("link", name="Bahasa Indonesia").click()
    expect(desktop.get_by_role("heading", name=re.compile("Pesanan pengiriman"))).to_be_visible()
    expect(desktop.locator("html")).to_have_attribute("lang", "id")


def test_a_clerk_moves_an_order_after_confirming(live_server, demo, screen):
    login(screen, live_server.url, "pos.layanan")
    screen.get_by_role("link", name="APDEMO02").click()
    expect(screen.get_by_role("heading", name=re.compile("APDEMO02"))).to_be_visible()
    assert_accessible(screen)

    screen.get_by_role("link", name="Serahkan berkas ke Imigrasi").click()
    expect(screen.get_by_text("tidak dapat dibatalkan")).to_be_visible()
    assert_accessible(screen)
    screen.get_by_role("button", name="Ya, konfirmasi").click()

    expect(screen.get_by_role("status")).to_contain_text("APDEMO02")
    timeline = screen.locator("ol.timeline li")
    expect(timeline).to_have_count(2)
    expect(timeline.last).to_contain_text("Berkas diserahkan ke Imigrasi")
    expect(timeline.last).to_contain_text("Sri Wahyuni")
    # The move is no longer offered once made.
    expect(screen.get_by_role("link", name="Serahkan berkas ke Imigrasi")).to_have_count(0)


def test_public_tracking_shows_the_timeline_without_personal_data(live_server, demo, screen):
    screen.goto(f"{live_server.url}/track/?code=APDEMO01")
    screen.get_by_label("Tanggal lahir").fill("1970-01-01")
    screen.get_by_role("button", name="Lacak").click()
    expect(screen.get_by_role("heading", name=re.compile("APDEMO01"))).to_be_visible()
    content = screen.content()
    assert "7371000000000000" not in content  # NIK
    assert "Jl. Demo No. 1" not in content  # address
    assert "0812400" not in content  # phone
    assert_fits_the_screen(screen)
    assert_accessible(screen)


def test_public_tracking_with_a_wrong_date_of_birth_finds_nothing(live_server, demo, desktop):
    desktop.goto(f"{live_server.url}/track/?code=APDEMO01")
    desktop.get_by_label("Tanggal lahir").fill("1999-12-31")
    desktop.get_by_role("button", name="Lacak").click()
    expect(desktop.get_by_role("alert")).to_contain_text("Tidak ada pengiriman")
    expect(desktop.locator("ol.timeline")).to_have_count(0)


def test_a_refused_move_is_explained_on_the_page(live_server, demo, desktop):
    # Another clerk handed the dossier over while this page was open.
    login(desktop, live_server.url, "pos.layanan")
    desktop.goto(f"{live_server.url}/orders/APDEMO03/move/hand_dossier/")
    from accounts.models import User
    from delivery.handoff.transitions import delivery_order_hand_dossier
    from delivery.models import DeliveryOrder

    order = DeliveryOrder.objects.get(code="APDEMO03")
    delivery_order_hand_dossier(order_id=order.pk, actor=User.objects.get(username="pos.layanan"))
    desktop.get_by_role("button", name="Ya, konfirmasi").click()

    expect(desktop.get_by_role("status")).to_contain_text("tidak dapat dilakukan sekarang")
    expect(desktop.locator("ol.timeline li")).to_have_count(2)
    assert_accessible(desktop)
