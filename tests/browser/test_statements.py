"""The daily statement through the pages: the Pos manager builds and approves it, the Imigrasi
manager approves it second; a disputed line shows on both agencies' problems queue. On a phone and
on a desktop, with axe-core on every page."""

import pytest
from playwright.sync_api import expect

from delivery.choices import DeliveryStatus as S
from delivery.money.statements import statement_build, today
from ledger.models import Statement
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot
from tests.factories import earlier_today, make_order

pytestmark = pytest.mark.browser


def test_the_pos_manager_then_the_imigrasi_manager_approve_the_days_statement(live_server, tx_ref, screen):
    order = make_order(tx_ref, S.BOOKED, at=earlier_today(1))
    base = live_server.url

    login(screen, base, "manajer.pos")
    screen.goto(f"{base}/money/statements/")
    expect(screen.get_by_role("heading", name="Rekap harian", exact=True)).to_be_visible()
    assert_accessible(screen)
    screen.get_by_role("button", name="Susun dari buku besar").click()
    expect(screen.get_by_role("status")).to_contain_text("Rekap disusun dari buku besar")
    expect(screen.get_by_role("heading", name="Menunggu persetujuan kedua instansi")).to_be_visible()
    expect(screen.get_by_role("cell", name=order.application.billing_code.payment.ntpn)).to_be_visible()
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/statement-built-{screen.viewport_name}.png", full_page=True)
    screen.get_by_role("button", name="Setujui untuk PT Pos").click()
    expect(screen.get_by_role("heading", name="Disetujui PT Pos, menunggu Imigrasi")).to_be_visible()
    expect(screen.get_by_role("button", name="Susun ulang dari buku besar")).to_have_count(0)

    screen.context.clear_cookies()
    login(screen, base, "manajer.imigrasi")
    screen.get_by_role("link", name="Rekap harian").first.click()
    screen.get_by_role("link", name=f"{today():%d-%m-%Y}").click()
    expect(screen.get_by_role("button", name="Setujui untuk PT Pos")).to_have_count(0)
    screen.get_by_role("button", name="Setujui untuk Imigrasi").click()
    expect(screen.get_by_role("heading", name="Disetujui kedua instansi")).to_be_visible()
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/statement-approved-{screen.viewport_name}.png", full_page=True)
    assert Statement.objects.get().status == "approved"


def test_a_disputed_line_shows_on_both_problems_queues(live_server, tx_ref, screen):
    make_order(tx_ref, S.BOOKED, at=earlier_today(1))
    statement = statement_build(pos_office_id=tx_ref["offices"]["pos"].pk, day=today())
    line = statement.lines.get(kind="state_fee")
    base = live_server.url

    login(screen, base, "manajer.imigrasi")
    screen.goto(f"{base}/money/statements/{statement.pk}/")
    screen.get_by_role("button", name="Sanggah (antrean masalah kedua instansi)").click()
    expect(screen.locator(".errorlist").first).to_be_visible()  # no line chosen, no reason
    assert_accessible(screen)
    screen.get_by_label("Baris atau selisih NTPN yang Anda sanggah").select_option(f"line-{line.pk}")
    screen.get_by_label("Apa yang salah").fill("NTPN ini tidak ada di rekening koran kas negara.")
    screen.get_by_role("button", name="Sanggah (antrean masalah kedua instansi)").click()
    expect(screen.get_by_role("status")).to_contain_text("Sanggahan masuk antrean masalah kedua instansi")
    expect(screen.get_by_role("heading", name="Disanggah")).to_be_visible()
    screenshot(screen, f"/tmp/statement-disputed-{screen.viewport_name}.png", full_page=True)

    for manager in ("manajer.imigrasi", "manajer.pos"):
        screen.context.clear_cookies()
        login(screen, base, manager)
        screen.goto(f"{base}/problems/")
        expect(screen.get_by_text("Rekap harian disanggah")).to_be_visible()
        assert_accessible(screen)
        assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/statement-problems-{screen.viewport_name}.png", full_page=True)

    # The Pos manager settles it, saying how: off both queues, built again, open for approvals.
    screen.goto(f"{base}/money/statements/{statement.pk}/")
    settle = screen.get_by_role("button", name="Tandai selesai (keluar dari antrean masalah kedua instansi)")
    settle.click()
    expect(screen.get_by_role("alert")).to_contain_text("Sebutkan bagaimana sanggahan diselesaikan")
    screen.get_by_label("Cara membetulkannya", exact=False).fill("Dicek dengan bank persepsi: NTPN benar.")
    assert_accessible(screen)
    screen.get_by_role("button", name="Tandai selesai (keluar dari antrean masalah kedua instansi)").click()
    expect(screen.get_by_role("status")).to_contain_text("Sanggahan diselesaikan")
    expect(screen.get_by_role("heading", name="Menunggu persetujuan kedua instansi")).to_be_visible()
    expect(screen.locator(".dispute-settled")).to_contain_text("NTPN benar")
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/statement-settled-{screen.viewport_name}.png", full_page=True)
    screen.goto(f"{base}/problems/")
    expect(screen.get_by_text("Rekap harian disanggah")).to_have_count(0)
