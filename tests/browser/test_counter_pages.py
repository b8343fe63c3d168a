"""The counter's other pages on a desktop and a 360 px phone: the counter home, the van standby
log, the supervisors' problems queue, and a second acknowledgement that changes nothing and says why."""

import re

import pytest
from playwright.sync_api import expect

from delivery.models import Batch, VanStandby
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot

pytestmark = pytest.mark.browser


def test_the_imigrasi_counter_home_lists_applications_and_batches(live_server, demo, screen):
    login(screen, live_server.url, "imigrasi")
    screen.get_by_role("link", name="Loket").click()
    expect(screen.get_by_role("heading", name="Loket", exact=True)).to_be_visible()
    expect(screen.get_by_role("link", name="Muhammad Akbar (demo)")).to_be_visible()
    batch = Batch.objects.get(items__order__code="APDEMO09")
    expect(screen.get_by_role("link", name=batch.number)).to_be_visible()
    expect(screen.get_by_text("2 paspor siap diserahkan.")).to_be_visible()
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/counter-home-{screen.viewport_name}.png", full_page=True)


def test_the_van_standby_log_records_todays_arrival_once(live_server, demo, screen):
    login(screen, live_server.url, "pos.layanan")
    screen.get_by_role("link", name="Catatan siaga mobil layanan").click()
    expect(screen.get_by_role("heading", name="Catatan siaga mobil layanan")).to_be_visible()
    expect(screen.get_by_role("table")).to_contain_text("terlambat")
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    before = VanStandby.objects.count()
    screen.get_by_label("Jam kedatangan hari ini (WITA)").fill("00:01")
    screen.get_by_role("button", name="Catat kedatangan").click()
    # Today may be a weekend or a holiday; either way the page answers with a clear message.
    message = screen.locator(".messages li, [role=alert]").first
    expect(message).to_contain_text(re.compile("Kedatangan dicatat|hanya siaga pada hari kerja"))
    if "Kedatangan dicatat" in message.inner_text():
        assert VanStandby.objects.count() == before + 1
        screen.get_by_label("Jam kedatangan hari ini (WITA)").fill("00:02")
        screen.get_by_role("button", name="Catat kedatangan").click()
        expect(screen.get_by_role("alert")).to_contain_text("sudah dicatat")
        assert VanStandby.objects.count() == before + 1
    else:
        assert VanStandby.objects.count() == before
    screenshot(screen, f"/tmp/counter-van-{screen.viewport_name}.png", full_page=True)


@pytest.mark.parametrize("manager", ["manajer.pos", "manajer.imigrasi"])
def test_supervisors_of_both_agencies_see_the_problems_queue(live_server, demo, desktop, manager):
    login(desktop, live_server.url, manager)
    desktop.get_by_role("link", name="Antrean masalah").click()
    expect(desktop.get_by_role("heading", name="Antrean masalah")).to_be_visible()
    cards = desktop.locator(".card", has=desktop.get_by_role("link", name="APDEMO05"))
    late = cards.filter(has_text="Tenggat terlewati")
    expect(late).to_contain_text("Berkas diserahkan ke Imigrasi")
    expect(late).to_contain_text("Petugas loket Imigrasi")
    expect(cards.filter(has_text="Tidak ada pergerakan")).to_have_count(1)
    assert_accessible(desktop)


def test_the_problems_queue_fits_a_phone(live_server, demo, phone):
    login(phone, live_server.url, "manajer.pos")
    phone.goto(f"{live_server.url}/problems/")
    expect(phone.get_by_role("link", name="APDEMO05").first).to_be_visible()
    assert_accessible(phone)
    assert_fits_the_screen(phone)
    screenshot(phone, "/tmp/counter-problems-phone.png", full_page=True)


def test_a_second_acknowledgement_changes_nothing_and_says_why(live_server, demo, desktop, phone):
    batch = Batch.objects.get(items__order__code="APDEMO09")
    login(desktop, live_server.url, "pos.layanan")
    login(phone, live_server.url, "pos.layanan")
    for page in (desktop, phone):  # two screens open on the same batch
        page.goto(f"{live_server.url}/counter/batches/{batch.pk}/")
        page.get_by_label(re.compile("APDEMO09")).check()
        page.get_by_label("Saya telah memeriksa daftar ini").check()
        page.on("dialog", lambda dialog: dialog.accept())
    desktop.get_by_role("button", name="Konfirmasi penerimaan paspor yang dipilih").click()
    expect(desktop.locator(".batch-status")).to_have_text("Diterima oleh Pos")
    phone.get_by_role("button", name="Konfirmasi penerimaan paspor yang dipilih").click()
    expect(phone.locator(".messages li.warning")).to_contain_text(
        "Sudah diterima sebelumnya, tidak ada yang berubah: APDEMO09"
    )
    expect(phone.locator(".item-who")).to_contain_text("oleh Sri Wahyuni")
    assert batch.items.get().order.events.filter(to_status="received_by_pos").count() == 1
    assert_accessible(phone)


def test_imigrasi_refuses_a_dossier_with_a_missing_item(live_server, demo, screen):
    login(screen, live_server.url, "imigrasi")
    screen.goto(f"{live_server.url}/orders/APDEMO06/")
    screen.get_by_role("link", name="Tolak berkas").click()
    expect(screen.get_by_role("heading", name=re.compile("Tolak berkas"))).to_be_visible()
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screen.get_by_label("Kirim kembali berkas ke Pos").check()
    screen.get_by_role("button", name="Tolak berkas").click()
    expect(screen.get_by_role("alert").first).to_contain_text("Centang kelengkapan yang tidak ada")
    assert_accessible(screen)
    screen.get_by_label("Fotokopi KTP/SIM").check()
    screen.get_by_label("Catatan untuk Pos").fill("Fotokopi tidak terbaca")
    screen.get_by_role("button", name="Tolak berkas").click()
    expect(screen.get_by_role("status")).to_contain_text("dikirim kembali ke Pos")
    expect(screen.locator("ol.timeline li").last).to_contain_text("Fotokopi tidak terbaca")
    expect(screen.locator(".badge").first).to_have_text("Sudah dipesan dan dibayar")
