"""A lost passport case through the pages: Pos reports it from the order, attaches the police
report, Imigrasi decides; on a phone and on a desktop, with axe-core on every page."""

import pytest
from playwright.sync_api import expect

from delivery.choices import DeliveryStatus as S
from delivery.models import LostPassportCase
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot
from tests.factories import make_order

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_lost_passport_is_reported_documented_and_decided(live_server, tx_ref, screen, tmp_path):
    order = make_order(tx_ref, S.RECEIVED_BY_POS)
    base = live_server.url

    login(screen, base, "pos.layanan")
    screen.goto(f"{base}/orders/{order.code}/")
    screen.get_by_role("link", name="Paspor hilang atau rusak? Laporkan").click()
    expect(screen.get_by_role("heading", name="Laporkan paspor hilang atau rusak")).to_be_visible()
    expect(screen.get_by_text("Serah terima terakhir")).to_contain_text("Diterima oleh bagian layanan PT Pos")
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/lost-open-{screen.viewport_name}.png", full_page=True)

    screen.get_by_role("radio", name="Hilang").check()
    screen.get_by_label("Apa yang ditemukan atau tidak ditemukan, di mana dan kapan").fill(
        "Tidak ada di rak penerimaan setelah dicari dua kali."
    )
    screen.get_by_role("button", name="Laporkan").click()
    expect(screen.locator(".errorlist")).to_contain_text("Bidang ini harus diisi")  # the confirmation
    assert not LostPassportCase.objects.exists()
    screen.get_by_label("Saya sudah mencarinya").check()
    screen.get_by_role("button", name="Laporkan").click()
    case = LostPassportCase.objects.get(order=order)
    expect(screen.get_by_role("status")).to_contain_text(f"Kasus {case.number} dibuka")
    expect(screen.get_by_role("heading", name=f"Kasus {case.number}: Dilaporkan hilang")).to_be_visible()

    report = tmp_path / "laporan.pdf"
    report.write_bytes(PDF)
    screen.get_by_label("Nomor laporan polisi").fill("LP/88/XII/2026")
    screen.get_by_label("Laporan polisi (PDF, JPEG atau PNG, paling besar 5 MB)").set_input_files(str(report))
    screen.get_by_role("button", name="Lampirkan laporan polisi").click()
    expect(screen.get_by_role("status")).to_contain_text("Laporan polisi sudah dilampirkan")
    assert_accessible(screen)
    screenshot(screen, f"/tmp/lost-case-{screen.viewport_name}.png", full_page=True)

    screen.context.clear_cookies()
    login(screen, base, "imigrasi")
    screen.get_by_role("link", name="Kasus paspor hilang").first.click()
    expect(screen.get_by_role("cell", name=case.number)).to_be_visible()
    assert_accessible(screen)
    screen.get_by_role("link", name=order.code).click()
    screen.get_by_label("Batalkan dan terbitkan ulang paspor (pengiriman ini berakhir)").check()
    screen.get_by_label("Catatan untuk pemohon (wajib bila paspor diterbitkan ulang)").fill(
        "Silakan datang ke kantor untuk foto ulang tanpa biaya."
    )
    screen.get_by_label("Saya mengonfirmasi keputusan ini").check()
    screen.get_by_role("button", name="Catat keputusan").click()
    expect(screen.get_by_role("status")).to_contain_text("Keputusan dicatat")
    expect(screen.get_by_text("Dibatalkan dan diterbitkan ulang").first).to_be_visible()
    assert_accessible(screen)
    order.refresh_from_db()
    assert order.status == S.CANCELLED
