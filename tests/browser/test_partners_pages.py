"""The agency managers' partnership pages: dashboard with plots and exports, agreements, evaluations,
disputes and the uptake entry, on a desktop and a 360 px phone."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from partners.models import Dispute, UptakeMonth
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot

pytestmark = pytest.mark.browser


def test_the_dashboard_draws_its_plot_matches_the_study_and_exports(live_server, demo, screen, tmp_path):
    login(screen, live_server.url, "manajer.imigrasi")
    screen.get_by_role("link", name="Kemitraan: perjanjian, evaluasi dan angka").click()
    screen.get_by_role("link", name="Dasbor dan laporan").click()
    screen.get_by_label("Dari bulan").fill("2018-01")
    screen.get_by_label("Sampai bulan").fill("2019-12")
    screen.get_by_role("button", name="Tampilkan").click()

    expect(screen.get_by_role("heading", name="Dasbor kemitraan")).to_be_visible()
    plot = screen.locator("#uptake-plot")
    expect(plot).to_be_visible()
    assert plot.evaluate("img => img.complete && img.naturalWidth > 0")
    box = plot.bounding_box()
    assert box["width"] > 250 and box["height"] > 100
    totals_2018 = screen.locator("#uptake-2018 tfoot tr td")
    expect(totals_2018).to_have_text(["62.518", "–", "775", "1,23%"])
    expect(screen.locator("#uptake-2019 tfoot tr td")).to_have_text(["65.630", "–", "1.516", "2,30%"])
    march_2018 = screen.locator("#uptake-2018 tbody tr").nth(2)
    expect(march_2018).to_contain_text("7.098")
    expect(march_2018).to_contain_text("1,84%")
    expect(screen.locator("#uptake-2018 tbody tr").first.locator("td").nth(2)).to_have_text("–")
    screenshot(screen, f"/tmp/p7-dashboard-{screen.viewport_name}.png", full_page=True)
    assert_fits_the_screen(screen)
    assert_accessible(screen)

    with screen.expect_download() as csv_download:
        screen.get_by_role("link", name="Ekspor CSV", exact=True).click()
    rows = list(csv.reader(io.StringIO(open(csv_download.value.path(), encoding="utf-8").read())))
    assert rows[0][:3] == ["tahun", "bulan", "paspor diterbitkan"]
    assert ["2018", "tahun", "62518", "", "775", "1.23"] in rows
    assert ["2019", "tahun", "65630", "", "1516", "2.30"] in rows

    with screen.expect_download() as xlsx_download:
        screen.get_by_role("link", name="Ekspor XLSX").click()
    book = load_workbook(io.BytesIO(open(xlsx_download.value.path(), "rb").read()))
    uptake = list(book["Serapan"].iter_rows(values_only=True))
    assert (2019, "tahun", 65630, None, 1516, 2.3) in uptake
    assert book.sheetnames == [
        "Serapan",
        "Tenggat",
        "Pengantaran gagal",
        "Kurir",
        "Pengaduan",
        "Konversi",
        "Kepuasan",
        "Komentar",
        "Uang",
    ]


def test_the_agreement_page_shows_both_numbers_and_article_7(live_server, demo, screen):
    login(screen, live_server.url, "manajer.pos")
    screen.goto(f"{live_server.url}/partners/agreements/")
    screen.get_by_role("link", name="Pelayanan Pengiriman Paspor melalui PT. Pos Indonesia").click()
    expect(screen.get_by_text("518-MS/REGIONAL-10/2017")).to_be_visible()
    expect(screen.get_by_text("W.23.IMI.FB.H.H.05.05-2177")).to_be_visible()
    expect(screen.get_by_role("heading", name="Pasal 7: Pengalihan hak dan kewajiban")).to_be_visible()
    expect(screen.get_by_text("Belum ada yang tercatat: pesanan tidak dapat diberikan")).to_be_visible()
    screenshot(screen, f"/tmp/p7-agreement-{screen.viewport_name}.png", full_page=True)
    assert_fits_the_screen(screen)
    assert_accessible(screen)


def test_evaluations_warn_and_the_scorecard_refuses_a_bad_score(live_server, demo, screen):
    login(screen, live_server.url, "manajer.pos")
    screen.goto(f"{live_server.url}/partners/evaluations/")
    # The demo's only meeting is in 2019: this year is heading to fewer than two.
    expect(screen.get_by_role("alert")).to_contain_text("kurang dari dua rapat evaluasi")
    expect(screen.get_by_text("Jadwal siaga mobil layanan")).to_be_visible()
    assert_fits_the_screen(screen)
    assert_accessible(screen)
    screen.get_by_role("link", name="15-07-2019").click()
    screen.get_by_text("Nilai indikator").click()
    screen.get_by_label(re.compile(r"^Fleksibilitas")).fill("7")
    screen.get_by_role("button", name="Simpan nilai").click()
    expect(screen.locator(".errorlist").first).to_contain_text("1 sampai 5")
    screenshot(screen, f"/tmp/p7-evaluation-{screen.viewport_name}.png", full_page=True)
    assert_fits_the_screen(screen)
    assert_accessible(screen)


def test_a_dispute_is_opened_deliberated_and_closed(live_server, demo, desktop):
    login(desktop, live_server.url, "manajer.pos")
    desktop.goto(f"{live_server.url}/partners/disputes/")
    desktop.get_by_label("Pokok perselisihan").fill("Biaya mobil layanan")
    desktop.get_by_label("Uraian").fill("Siapa menanggung biaya siaga?")
    desktop.get_by_role("button", name="Ajukan").click()
    expect(desktop.get_by_role("heading", name="Biaya mobil layanan")).to_be_visible()
    desktop.get_by_label("Catatan musyawarah").fill("Musyawarah pertama")
    desktop.get_by_role("button", name="Tambah catatan").click()
    expect(desktop.get_by_text("Dalam musyawarah")).to_be_visible()
    desktop.get_by_label("Mufakat tercapai").fill("Masing-masing menanggung biayanya")
    desktop.get_by_role("button", name="Catat mufakat").click()
    desktop.get_by_role("link", name="Tutup perselisihan").click()
    expect(desktop.get_by_text("tidak dapat dibatalkan")).to_be_visible()
    assert_accessible(desktop)
    desktop.get_by_role("button", name="Ya, konfirmasi").click()
    expect(desktop.get_by_role("status")).to_contain_text("Perselisihan ditutup")
    assert Dispute.objects.get().status == "closed"
    assert_accessible(desktop)


def test_a_csv_with_bad_rows_is_reported_on_the_page(live_server, demo, phone, tmp_path):
    login(phone, live_server.url, "manajer.imigrasi")
    phone.goto(f"{live_server.url}/partners/uptake/")
    bad = tmp_path / "uptake.csv"
    bad.write_text("year,month,issued\n2026,1,5000\n2026,14,10\n")
    phone.get_by_label("Berkas CSV").set_input_files(str(bad))
    phone.get_by_role("button", name="Impor").click()
    expect(phone.locator("#csv-errors")).to_contain_text("Baris 3")
    assert not UptakeMonth.objects.filter(year=2026).exists()
    screenshot(phone, "/tmp/p7-uptake-phone.png", full_page=True)
    assert_fits_the_screen(phone)
    assert_accessible(phone)

    phone.get_by_label("Tahun").fill("2026")
    phone.get_by_label("Bulan (1-12)").fill("1")
    phone.get_by_label("Paspor diterbitkan").fill("5000")
    phone.get_by_role("button", name="Simpan").click()
    expect(phone.get_by_role("status")).to_contain_text("5000 paspor diterbitkan")
    assert UptakeMonth.objects.get(year=2026, month=1).issued == 5000
