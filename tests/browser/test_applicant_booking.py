"""The applicant's journey on a desktop and a 360 px phone: the landing page, online booking with a
signature drawn on the screen, payment confirmed by a real Celery worker, the PDFs downloaded and
mailed once."""

import io
import re
from email import message_from_bytes

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from delivery.models import DeliveryOrder, OnlineBooking
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, screenshot
from tests.conftest import wait_for

pytestmark = pytest.mark.browser

RINA_BORN = "1994-08-17"
RINA_MAIL = "rina.demo@demo.antar-paspor.local"


def rina_code():
    return (
        OnlineBooking._meta.apps.get_model("passports", "BillingCode")
        .objects.get(application__applicant__full_name="Rina Amalia (demo daring)")
        .code
    )


def test_the_landing_page_tells_a_visitor_what_it_costs_and_how_to_book(live_server, demo, screen):
    screen.goto(f"{live_server.url}/")
    expect(screen.get_by_role("heading", level=1)).to_contain_text("diantar ke rumah atau kantor")
    book = screen.get_by_role("link", name="Pesan antar paspor").first
    expect(book).to_be_visible()
    costs = screen.locator("table").first
    expect(costs).to_contain_text("Paspor elektronik 48 halaman")
    expect(costs).to_contain_text("Rp 600.000")
    expect(screen.locator("table").nth(1)).to_contain_text("Selayar")
    expect(screen.locator("table").nth(1)).to_contain_text("Rp 90.000")
    expect(screen.get_by_text("paling lambat 3 hari", exact=False).first).to_be_visible()
    expect(screen.get_by_text("Senin sampai Kamis 07.30-16.00")).to_be_visible()
    expect(screen.get_by_role("link", name="0411-584559")).to_be_visible()
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/applicant-landing-{screen.viewport_name}.png", full_page=True)
    book.click()
    expect(screen.get_by_role("heading", name="Pesan antar paspor")).to_be_visible()


def sign(page):
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(
            box["x"] + 20 + step * (box["width"] - 40) / 11,
            box["y"] + box["height"] * (0.3 if step % 2 else 0.7),
            steps=3,
        )
    page.mouse.up()


def fill_details(page, *, phone="081355512345"):
    page.get_by_label("Wilayah").select_option(label="Maros: Rp 30.000")
    page.get_by_label("Alamat pengiriman").fill("Jl. Poros Maros No. 5, Turikale, Maros")
    page.get_by_label("Nomor ponsel").fill(phone)
    page.get_by_label("Saya memberi kuasa").check()
    sign(page)


@pytest.mark.worker
def test_an_applicant_books_signs_and_pays_online(
    live_server, demo, screen, celery_worker_process, smtp_sink
):
    page = screen
    code = rina_code()
    page.goto(f"{live_server.url}/book/")
    assert_accessible(page)
    # a wrong date of birth first: a clear message, nothing written
    page.get_by_label("Kode billing (15 digit)").fill(code)
    page.get_by_label("Tanggal lahir").fill("1994-08-18")
    page.get_by_role("button", name="Lanjut").click()
    expect(page.get_by_role("alert")).to_contain_text("Tidak ada kode billing yang cocok")
    page.get_by_label("Tanggal lahir").fill(RINA_BORN)
    page.get_by_role("button", name="Lanjut").click()

    expect(page.get_by_role("heading", name="Data pengiriman dan surat kuasa")).to_be_visible()
    expect(page.get_by_text("Rina Amalia (demo daring)").first).to_be_visible()
    expect(page.get_by_text("7371015708940002")).to_have_count(0)  # the NIK is masked
    assert_accessible(page)
    assert_fits_the_screen(page)
    screenshot(page, f"/tmp/applicant-details-{page.viewport_name}.png", full_page=True)
    # submitting without a signature is refused
    page.get_by_label("Wilayah").select_option(label="Maros: Rp 30.000")
    page.get_by_label("Saya memberi kuasa").check()
    page.get_by_role("button", name="Lanjut ke pembayaran").click()
    expect(page.get_by_role("alert")).to_contain_text("Tanda tangani surat kuasa")
    assert not OnlineBooking.objects.exists()

    fill_details(page)
    page.get_by_role("button", name="Lanjut ke pembayaran").click()
    expect(page.get_by_role("heading", name="Periksa dan bayar")).to_be_visible()
    expect(page.locator(".total")).to_have_text("Rp 630.000")  # e-passport 600.000 + Maros 30.000
    assert_accessible(page)
    assert_fits_the_screen(page)
    screenshot(page, f"/tmp/applicant-review-{page.viewport_name}.png", full_page=True)

    page.get_by_role("button", name="Bayar Rp 630.000 sekarang").click()
    expect(page.get_by_text("Sudah dibayar dan dipesan")).to_be_visible(timeout=30_000)
    tracking = page.locator("#tracking-code").inner_text()
    order = DeliveryOrder.objects.get(code=tracking)
    assert order.status == "booked" and order.area.code == "maros"
    assert order.application.billing_code.status == "paid"
    assert_accessible(page)
    assert_fits_the_screen(page)
    screenshot(page, f"/tmp/applicant-booked-{page.viewport_name}.png", full_page=True)

    # the power of attorney, downloaded, carries the booking
    with page.expect_download() as download:
        page.get_by_role("link", name="Surat kuasa (PDF)").click()
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "SURAT KUASA PERMOHONAN ANTAR KIRIMAN" in text
    assert "Rina Amalia (demo daring)" in text and tracking in text and "Maros" in text

    # the dossier receipt and the power of attorney arrive by mail, once
    def booked_mails():
        return [
            m
            for m in smtp_sink.messages
            if RINA_MAIL in m.rcpt_tos
            and tracking in message_from_bytes(m.content)["Subject"]
            and "dipesan:" in message_from_bytes(m.content)["Subject"]
        ]

    wait_for(lambda: booked_mails(), timeout=30)
    mail = message_from_bytes(booked_mails()[0].content)
    names = sorted(part.get_filename() for part in mail.walk() if part.get_filename())
    assert names == [f"surat-kuasa-{tracking}.pdf", f"tanda-terima-{tracking}.pdf"]
    receipt = next(p for p in mail.walk() if p.get_filename() == f"tanda-terima-{tracking}.pdf")
    receipt_text = PdfReader(io.BytesIO(receipt.get_payload(decode=True))).pages[0].extract_text()
    assert re.search(r"TANDA TERIMA BERKAS", receipt_text, re.I)
    page.wait_for_timeout(1500)
    assert len(booked_mails()) == 1


@pytest.mark.worker
def test_a_refused_payment_can_be_tried_again_and_books_once(
    live_server, demo, desktop, celery_worker_process
):
    page = desktop
    page.goto(f"{live_server.url}/book/")
    page.get_by_label("Kode billing (15 digit)").fill(rina_code())
    page.get_by_label("Tanggal lahir").fill(RINA_BORN)
    page.get_by_role("button", name="Lanjut").click()
    fill_details(page, phone="080000000000")  # the sandbox's always-declined payer
    page.get_by_role("button", name="Lanjut ke pembayaran").click()
    page.get_by_role("button", name=re.compile("Bayar .* sekarang")).click()
    expect(page.get_by_role("alert")).to_contain_text("ditolak oleh bank", timeout=30_000)
    assert not DeliveryOrder.objects.filter(application__applicant__full_name__startswith="Rina").exists()
    assert_accessible(page)

    page.get_by_role("link", name="Ubah data").click()
    page.get_by_label("Nomor ponsel").fill("081355512345")
    page.get_by_label("Saya memberi kuasa").check()
    sign(page)
    page.get_by_role("button", name="Lanjut ke pembayaran").click()
    page.get_by_role("button", name=re.compile("Bayar .* sekarang")).click()
    expect(page.get_by_text("Sudah dibayar dan dipesan")).to_be_visible(timeout=30_000)
    assert DeliveryOrder.objects.filter(application__applicant__full_name__startswith="Rina").count() == 1
    assert OnlineBooking.objects.count() == 1


def test_the_demo_applicant_books_from_the_account(live_server, demo, phone):
    from tests.browser.conftest import login

    login(phone, live_server.url, "pemohon")
    phone.goto(f"{live_server.url}/book/")
    expect(phone.get_by_role("heading", name="Permohonan Anda")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("link", name="Pesan antar untuk paspor ini").click()
    expect(phone.get_by_role("heading", name="Data pengiriman dan surat kuasa")).to_be_visible()
    expect(phone.get_by_text("Andi Nurhayati").first).to_be_visible()
