"""A complaint's round trip in the browser, on a desktop and a 360 px phone: filed without a login
with a photo, the ticket shown, answered by the Pos office (the mail arrives through a real worker),
read and answered by the complainant, closed after confirmation; and the demo's overdue complaint on
the queues and the dashboard."""

import re

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot
from tests.complaints.helpers import png_bytes
from tests.conftest import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_a_complaint_round_trip(live_server, demo, screen, browser, celery_worker_process, smtp_sink):
    address = f"pelapor.{screen.viewport_name}@example.test"
    screen.goto(f"{live_server.url}/")
    screen.goto(f"{live_server.url}/complaints/")
    expect(screen.get_by_role("heading", name="Ajukan pengaduan")).to_be_visible()
    screen.get_by_label("Tentang apa?").select_option(label="Paspor rusak atau hilang")
    screen.get_by_label("Pengaduan Anda").fill("Sampul paspor yang diantar basah dan sobek.")
    screen.get_by_label("Email untuk tanggapan").fill(address)
    screen.get_by_label(re.compile("^Foto")).set_input_files(
        files=[{"name": "sampul.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    screenshot(screen, f"/tmp/complaint-new-{screen.viewport_name}.png", full_page=True)
    assert_fits_the_screen(screen)
    assert_accessible(screen)
    screen.get_by_role("button", name="Kirim pengaduan").click()

    complaint = Complaint.objects.get(contact_email=address)
    expect(screen.get_by_role("status")).to_contain_text(f"Nomor tiket Anda {complaint.ticket}")
    expect(screen.locator("#thread")).to_contain_text("Sampul paspor yang diantar basah dan sobek.")
    expect(screen.get_by_text("Menunggu tanggapan pertama")).to_be_visible()
    thread_url = screen.url
    screenshot(screen, f"/tmp/complaint-thread-{screen.viewport_name}.png", full_page=True)
    assert_fits_the_screen(screen)
    assert_accessible(screen)

    # the Pos service section answers from its queue
    staff = browser.new_context(locale="id-ID", timezone_id="Asia/Makassar", viewport=screen.viewport_size)
    officer = staff.new_page()
    login(officer, live_server.url, "pos.layanan")
    officer.get_by_role("link", name="Pengaduan", exact=True).click()
    expect(officer.get_by_role("heading", name="Antrean pengaduan")).to_be_visible()
    assert_accessible(officer)
    officer.get_by_role("link", name=complaint.ticket).click()
    expect(officer.get_by_role("link", name="Buka foto")).to_be_visible()
    officer.get_by_label("Pesan Anda").fill("Mohon maaf. Kami ganti sampulnya dan antar ulang besok.")
    screenshot(officer, f"/tmp/complaint-staff-{screen.viewport_name}.png", full_page=True)
    assert_fits_the_screen(officer)
    assert_accessible(officer)
    officer.get_by_role("button", name="Kirim tanggapan").click()
    expect(officer.get_by_role("status")).to_contain_text("Tanggapan Anda sudah dikirim kepada pelapor.")

    wait_for(lambda: len([m for m in smtp_sink.messages if address in m.rcpt_tos]) == 2, timeout=30)
    mail = [m for m in smtp_sink.messages if address in m.rcpt_tos][-1].content.decode(errors="replace")
    assert complaint.ticket in mail

    # the complainant reads the answer and replies
    screen.goto(thread_url)
    expect(screen.locator("#thread")).to_contain_text("Kami ganti sampulnya")
    expect(screen.get_by_text("Sudah ditanggapi")).to_be_visible()
    screen.get_by_label("Pesan Anda").fill("Terima kasih, saya tunggu besok.")
    screen.get_by_role("button", name="Kirim", exact=True).click()
    expect(screen.locator("#thread")).to_contain_text("saya tunggu besok")

    # closing asks first
    officer.reload()
    officer.get_by_role("link", name="Tutup pengaduan").click()
    expect(officer.get_by_text("Tindakan ini tidak dapat dibatalkan.")).to_be_visible()
    assert_accessible(officer)
    officer.get_by_role("button", name="Ya, tutup").click()
    expect(officer.get_by_role("status")).to_contain_text("Pengaduan sudah ditutup.")
    staff.close()

    screen.goto(thread_url)
    expect(screen.get_by_text("Pengaduan ini sudah ditutup.")).to_be_visible()
    expect(screen.get_by_label("Pesan Anda")).to_have_count(0)


def test_the_overdue_demo_complaint_on_the_queues_and_the_dashboard(live_server, demo, desktop):
    login(desktop, live_server.url, "manajer.imigrasi")
    desktop.goto(f"{live_server.url}/complaints/staff/")
    expect(desktop.locator("p.warning")).to_contain_text("1 pengaduan belum mendapat tanggapan pertama")
    expect(desktop.locator("#complaints")).to_contain_text("KPDEMO0002")
    expect(desktop.locator("#complaints")).to_contain_text("masuk antrean masalah")
    desktop.goto(f"{live_server.url}/problems/")
    expect(desktop.get_by_role("link", name="KPDEMO0002")).to_be_visible()
    desktop.goto(f"{live_server.url}/partners/dashboard/")
    table = desktop.locator("#complaints")
    expect(table.locator("tfoot")).to_contain_text("Semua pengaduan")
    expect(table.locator("tbody tr", has_text="Data atau penerbitan paspor").locator("td").last).to_have_text(
        "1"
    )
    screenshot(desktop, "/tmp/complaint-dashboard.png", full_page=True)
    assert_accessible(desktop)
