"""The billing-code slip's invitation to book delivery, followed by the applicant on their phone, and
the conversion it is measured by on the partnership dashboard."""

import csv
import io
import subprocess

import pytest
from playwright.sync_api import expect

from passports.models import PassportApplication
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot

pytestmark = pytest.mark.browser


def test_the_slip_invites_and_the_link_opens_the_booking_with_the_code_filled_in(
    live_server, demo, screen, phone, settings
):
    settings.PUBLIC_BASE_URL = live_server.url  # the link of the QR code points at this server
    application = PassportApplication.objects.select_related("billing_code", "applicant").get(
        applicant__full_name="Muhammad Akbar (demo)"
    )
    code = application.billing_code.code
    login(screen, live_server.url, "imigrasi")
    screen.goto(f"{live_server.url}/counter/applications/{application.pk}/")
    invitation = screen.locator("#delivery-invitation")
    expect(invitation.get_by_role("heading")).to_have_text(
        "Paspor diantar ke rumah · Passport delivered to your door"
    )
    expect(invitation).to_contain_text("Tidak perlu datang lagi untuk mengambil paspor")
    expect(invitation).to_contain_text("No second trip to the office")
    expect(invitation.get_by_role("img", name="Kode QR halaman pemesanan antar paspor")).to_be_visible()
    expect(invitation.locator("#delivery-fees")).to_contain_text("Maros")
    link = invitation.locator("#booking-link").inner_text()
    assert link == f"{live_server.url}/book/?kode={code}"
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/slip-invitation-{screen.viewport_name}.png", full_page=True)
    if screen.viewport_name == "desktop":
        # the slip as printed at the desk: no navigation, the invitation on the page
        screen.emulate_media(media="print")
        screen.pdf(path="/tmp/slip-invitation.pdf", format="A4")
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "/tmp/slip-invitation.pdf", "/tmp/slip-invitation"], check=True
        )

    # the applicant scans the code: /book/ with the billing code filled in, the date of birth asked
    phone.goto(link)
    expect(phone.get_by_label("Kode billing (15 digit)")).to_have_value(code)
    expect(phone.get_by_label("Tanggal lahir")).to_have_value("")
    assert_accessible(phone)
    assert_fits_the_screen(phone)
    screenshot(phone, "/tmp/book-prefilled-phone.png", full_page=True)
    phone.get_by_label("Tanggal lahir").fill(application.applicant.birth_date.isoformat())
    phone.get_by_role("button", name="Lanjut").click()
    expect(phone.get_by_role("heading", name="Data pengiriman dan surat kuasa")).to_be_visible()


def test_the_dashboard_shows_the_conversion_and_exports_it(live_server, demo, screen):
    login(screen, live_server.url, "manajer.pos")
    screen.goto(f"{live_server.url}/partners/dashboard/")
    section = screen.locator(
        "section",
        has=screen.get_by_role("heading", name="Konversi: pemesanan antar per kode billing yang diterbitkan"),
    )
    expect(section).to_be_visible()
    for caption in (
        "Per kantor Imigrasi",
        "Per petugas loket yang menerbitkan kode billing",
        "Per hari kode billing diterbitkan",
    ):
        expect(section.get_by_role("table", name=caption)).to_be_visible()
    expect(section.locator("#conversion-offices tbody tr").first).to_contain_text("Kantor Imigrasi")
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(section, f"/tmp/dashboard-conversion-{screen.viewport_name}.png")
    with screen.expect_download() as download:
        screen.get_by_role("link", name="Ekspor CSV konversi").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert rows[0][0] == "menurut" and rows[-1][0] == "total"
    assert {r[0] for r in rows[1:-1]} == {"office", "officer", "day"}
