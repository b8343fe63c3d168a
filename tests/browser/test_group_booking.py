"""The travel agency books a group from a CSV on a desktop and a 360 px phone: a file with bad lines
gets a report per line and books nothing; the corrected sample file books every passport, and the
group page shows each passport's status."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from delivery.models import GroupBooking
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot

pytestmark = pytest.mark.browser


def test_a_group_with_bad_lines_then_the_good_file(live_server, demo, screen):
    sample = (settings.BASE_DIR / "docs" / "sample-group-booking.csv").read_bytes()
    lines = sample.decode().strip().splitlines()
    code, birth, name, phone, email = lines[2].split(",")
    year, month, day = birth.split("-")
    broken = (
        "\n".join(
            [
                lines[0],
                lines[1],
                lines[1],
                "12345,1990-01-01,Pendek,081355500199,",
                f"{code},{day}/{month}/{year},{name},{phone},{email}",
                lines[3] + ",lebih",
                lines[4],
            ]
        )
        + "\n"
    )

    login(screen, live_server.url, "travel")
    screen.get_by_role("link", name="Pesan kelompok dari berkas CSV").click()
    expect(screen.get_by_role("heading", name="Pemesanan kelompok")).to_be_visible()
    expect(screen.get_by_text("Semua atau tidak sama sekali")).to_be_visible()
    screen.get_by_label("Berkas CSV").set_input_files(
        files=[{"name": "jamaah.csv", "mimeType": "text/csv", "buffer": broken.encode()}]
    )
    screen.get_by_label("Telepon kantor Anda untuk kurir").fill("081234567890")
    screen.get_by_role("button", name="Periksa dan pesan").click()

    expect(screen.get_by_role("heading", name="Laporan: tidak ada yang dipesan")).to_be_visible()
    expect(screen.get_by_role("alert")).to_contain_text("3 baris bermasalah.")
    report = screen.locator("#report tbody tr")
    expect(report).to_have_count(6)
    expect(report.nth(1)).to_contain_text("kode billing ini sudah ada di baris 2")
    expect(report.nth(2)).to_contain_text("Kode billing terdiri atas tepat 15 digit.")
    expect(report.nth(3)).to_contain_text("Baik")  # DD/MM/YYYY dates are read too
    expect(report.nth(4)).to_contain_text("diharapkan 5 kolom seperti pada judul, ditemukan 6")
    screenshot(screen, f"/tmp/group-report-{screen.viewport_name}.png", full_page=True)
    assert_fits_the_screen(screen)
    assert_accessible(screen)
    assert GroupBooking.objects.count() == 1  # the demo's own group only

    screen.get_by_label("Berkas CSV").set_input_files(
        files=[{"name": "jamaah.csv", "mimeType": "text/csv", "buffer": sample}]
    )
    screen.get_by_label("Telepon kantor Anda untuk kurir").fill("081234567890")
    screen.get_by_role("button", name="Periksa dan pesan").click()

    group = GroupBooking.objects.latest("pk")
    expect(screen.get_by_role("heading", name=f"Kelompok {group.number}")).to_be_visible()
    expect(screen.get_by_role("status")).to_contain_text("4 paspor dipesan")
    expect(screen.locator("#passports tbody tr")).to_have_count(4)
    expect(screen.locator("#passports")).to_contain_text("Haji Abdul Rahman")
    expect(screen.locator("#counts")).to_contain_text("4")
    screenshot(screen, f"/tmp/group-detail-{screen.viewport_name}.png", full_page=True)
    assert_fits_the_screen(screen)
    assert_accessible(screen)
