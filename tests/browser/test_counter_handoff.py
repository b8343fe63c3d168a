"""Steps 1 to 6 through the real pages: the Imigrasi officer and the Pos officers hand one passport
along, with the real Celery worker confirming the MPN G-2 payment on the test PostgreSQL and Redis."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from delivery.choices import DeliveryStatus
from delivery.models import Batch, DeliveryEvent, DeliveryFeePayment, DeliveryOrder
from passports.models import Payment
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_text(page, url: str) -> str:
    response = page.request.get(url)
    assert response.status == 200, url
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    return " ".join(text.split())  # a name may wrap inside a table cell


def shot(page, name: str) -> None:
    screenshot(page, f"/tmp/counter-{name}.png", full_page=True)


def test_steps_one_to_six_through_the_counter_pages(
    live_server, tx_ref, celery_worker_process, desktop, phone
):
    base = live_server.url
    imigrasi, pos = desktop, phone

    # Steps 1-2: the Imigrasi officer records the application and issues the billing code.
    login(imigrasi, base, "imigrasi")
    imigrasi.get_by_role("link", name="Permohonan baru").first.click()
    expect(imigrasi.get_by_role("heading", name="Permohonan paspor baru")).to_be_visible()
    assert_accessible(imigrasi)
    imigrasi.get_by_label("Nama lengkap").fill("Daeng Baji Ramli")
    imigrasi.get_by_label("Tempat lahir").fill("Gowa")
    imigrasi.get_by_label("Tanggal lahir").fill("1988-03-14")
    imigrasi.get_by_label("Alamat", exact=True).fill("Jl. Sultan Alauddin No. 7, Makassar")
    imigrasi.get_by_label("NIK (KTP)").fill("7371031403880001")
    imigrasi.get_by_label("Telepon").fill("081355512345")
    imigrasi.get_by_label("Jenis paspor").select_option(label="Paspor biasa 48 halaman (Rp 300.000)")
    # One requirement missing: no billing code, a clear message.
    imigrasi.get_by_label("KTP (kartu tanda penduduk)").check()
    imigrasi.get_by_label("Kartu keluarga (KK)").check()
    imigrasi.get_by_role("button", name="Terbitkan kode billing").click()
    expect(imigrasi.get_by_role("alert").first).to_contain_text("Seluruh persyaratan harus diperiksa")
    imigrasi.get_by_label("Akta kelahiran, ijazah, buku nikah, atau surat baptis").check()
    imigrasi.get_by_role("button", name="Terbitkan kode billing").click()
    expect(imigrasi.get_by_role("status")).to_contain_text("telah diterbitkan")
    billing_code = imigrasi.locator("#billing-code").inner_text().strip()
    assert re.fullmatch(r"\d{15}", billing_code)
    expect(imigrasi.get_by_text("Rp 300.000")).to_be_visible()
    expect(imigrasi.get_by_role("img", name=re.compile(billing_code))).to_be_visible()
    assert_accessible(imigrasi)
    shot(imigrasi, "billing-code")

    # Step 3: the Pos officer takes payment; MPN G-2 confirms through the worker.
    login(pos, base, "pos.layanan")
    pos.get_by_role("link", name="Terima pembayaran").first.click()
    assert_accessible(pos)
    assert_fits_the_screen(pos)
    pos.get_by_label("Kode billing (15 digit)").fill("123456789012345")
    pos.get_by_role("button", name="Bayar melalui MPN G-2").click()
    expect(pos.get_by_role("alert")).to_contain_text("Kode billing 123456789012345 tidak dikenal")
    pos.get_by_label("Kode billing (15 digit)").fill(billing_code)
    pos.get_by_role("button", name="Bayar melalui MPN G-2").click()
    expect(pos.locator("#payment-state")).to_contain_text("Lunas.", timeout=30_000)
    ntpn = Payment.objects.get(billing_code__code=billing_code).ntpn
    expect(pos.locator("#payment-state")).to_contain_text(ntpn)
    assert_accessible(pos)
    assert_fits_the_screen(pos)
    shot(pos, "payment")
    payment_page = pos.url
    # Paying the same code again is refused and changes nothing.
    pos.goto(f"{base}/counter/pay/")
    pos.get_by_label("Kode billing (15 digit)").fill(billing_code)
    pos.get_by_role("button", name="Bayar melalui MPN G-2").click()
    expect(pos.get_by_role("alert")).to_contain_text("Kode billing ini sudah dibayar")
    assert Payment.objects.filter(billing_code__code=billing_code).count() == 1
    pos.goto(payment_page)
    pos.get_by_role("link", name="Pesan pengiriman").click()

    expect(pos.get_by_role("heading", name="Pesan pengiriman")).to_be_visible()
    pos.get_by_label("Wilayah").select_option(label="Makassar (Rp 20.000)")
    pos.get_by_label("Nippos").fill("995100100")
    pos.get_by_label("Pemohon telah menandatangani surat kuasa").check()
    pos.get_by_label("Biaya antar telah diterima").check()
    assert_accessible(pos)
    assert_fits_the_screen(pos)
    shot(pos, "book")
    pos.get_by_role("button", name="Pesan pengiriman").click()
    expect(pos.get_by_role("status")).to_contain_text("Pengiriman telah dipesan")
    order = DeliveryOrder.objects.get(application__applicant__full_name="Daeng Baji Ramli")
    assert DeliveryFeePayment.objects.get(order=order).amount == 20_000
    expect(pos.get_by_text("Sesuai (rekonsiliasi)")).to_be_visible()
    receipt = pdf_text(pos, f"{base}/orders/{order.code}/documents/receipt.pdf")
    for text in [
        "TANDA TERIMA BERKAS",
        "Hari dan tanggal",
        "Bukti penerimaan negara",
        ntpn,
        "Fotokopi KTP/SIM",
        "Biaya antar Rp 20.000",
        "Daeng Baji Ramli",
        "Sri Wahyuni",
    ]:
        assert text in receipt, text
    attorney = pdf_text(pos, f"{base}/orders/{order.code}/documents/power-of-attorney.pdf")
    for text in [
        "SURAT KUASA PERMOHONAN ANTAR KIRIMAN",
        "Pengiriman Paspor melalui Pos",
        "7371031403880001",
        "Gowa, 14-03-1988",
        "995100100",
        "PT Pos Indonesia Cabang Makassar",
    ]:
        assert text in attorney, text

    # Step 4: Pos hands the dossier to Imigrasi with a manifest (PDF and CSV).
    pos.goto(f"{base}/counter/manifests/new/")
    expect(pos.get_by_label(re.compile(order.code))).not_to_be_checked()
    pos.get_by_label(re.compile(order.code)).check()
    expect(pos.locator("[data-selection-summary]")).to_have_text(f"1 dipilih: {order.code}")
    assert_accessible(pos)
    assert_fits_the_screen(pos)
    pos.once("dialog", lambda dialog: dialog.accept())
    pos.get_by_role("button", name="Serahkan dan buat manifes").click()
    expect(pos.get_by_role("status")).to_contain_text("dengan manifes MNF-")
    assert_accessible(pos)
    assert_fits_the_screen(pos)
    manifest_url = pos.get_by_role("link", name="Manifes (CSV)").get_attribute("href")
    rows = list(csv.DictReader(io.StringIO(pos.request.get(base + manifest_url).text())))
    assert [
        (r["kode_pelacakan"], r["nama_pemohon"], r["kode_billing"], r["ntpn"], r["biaya_antar"]) for r in rows
    ] == [(order.code, "Daeng Baji Ramli", billing_code, ntpn, "20000")]
    manifest = pdf_text(pos, base + pos.get_by_role("link", name="Manifes (PDF)").get_attribute("href"))
    assert "MANIFES BERKAS" in manifest and order.code in manifest and "Daeng Baji Ramli" in manifest

    # The passport is printed; Imigrasi marks it ready and releases it in a batch by scanning it.
    imigrasi.goto(f"{base}/orders/{order.code}/")
    imigrasi.get_by_role("link", name="Tandai paspor siap").click()
    imigrasi.get_by_role("button", name="Ya, konfirmasi").click()
    expect(imigrasi.locator(".badge").first).to_have_text("Paspor siap di Imigrasi")
    imigrasi.goto(f"{base}/")
    imigrasi.get_by_role("link", name="Serahkan kelompok paspor ke Pos").first.click()
    imigrasi.wait_for_url("**/counter/batches/new/")
    assert_accessible(imigrasi)
    imigrasi.wait_for_selector("form[data-selection][data-ready]", state="attached")  # its script runs
    scan = imigrasi.get_by_label("Pindai atau ketik kode pelacakan, lalu tekan Enter")
    scan.type("APNOTHERE9\n")
    expect(imigrasi.locator("#scan-status")).to_contain_text("Tidak siap diserahkan di sini: APNOTHERE9")
    scan.type(order.code.lower() + "\n")
    expect(imigrasi.locator("#scan-status")).to_contain_text(f"Ditambahkan ke kelompok: {order.code}")
    expect(imigrasi.get_by_label(re.compile(order.code))).to_be_checked()
    expect(imigrasi.locator("[data-selection-summary]")).to_have_text(f"1 dipilih: {order.code}")
    shot(imigrasi, "batch-new")
    imigrasi.once("dialog", lambda dialog: dialog.accept())
    imigrasi.get_by_role("button", name="Serahkan kelompok dan cetak suratnya").click()
    expect(imigrasi.get_by_role("status")).to_contain_text("dalam serah terima")
    expect(imigrasi.locator(".batch-status")).to_have_text("Dalam serah terima")
    assert_accessible(imigrasi)
    batch = Batch.objects.get()
    letter = pdf_text(imigrasi, f"{base}/counter/batches/{batch.pk}/surat-tugas.pdf")
    for text in [
        "SURAT TUGAS",
        "SURAT KUASA",
        batch.number,
        order.code,
        "Daeng Baji Ramli",
        "Rahmat Hidayat",
    ]:
        assert text in letter, text

    # Step 5: the Pos officer finds the batch on their home page and scans the passport.
    pos.goto(f"{base}/counter/")
    pos.get_by_role("link", name=batch.number).first.click()
    expect(pos.locator(".batch-status")).to_have_text("Dalam serah terima")
    pos.wait_for_selector("#ack-form[data-ready]", state="attached")  # its script is running
    pos.get_by_label("Pindai atau ketik kode pelacakan, lalu tekan Enter").type(order.code.lower() + "\n")
    expect(pos.locator("#ack-summary")).to_have_text(f"1 dipilih: {order.code}")
    pos.get_by_label("Saya telah memeriksa daftar ini").check()
    assert_accessible(pos)
    assert_fits_the_screen(pos)
    shot(pos, "batch-ack")
    pos.once("dialog", lambda dialog: dialog.accept())
    pos.get_by_role("button", name="Konfirmasi penerimaan paspor yang dipilih").click()
    expect(pos.get_by_role("status")).to_contain_text(f"Diterima oleh bagian pelayanan Pos: {order.code}")
    expect(pos.get_by_role("status")).to_contain_text(f"Kelompok {batch.number} sudah lengkap")
    expect(pos.locator(".batch-status")).to_have_text("Diterima oleh Pos")
    imigrasi.reload()
    expect(imigrasi.locator(".batch-status")).to_have_text("Diterima oleh Pos")

    # Step 6: same day to the delivery section, with the courier suggested for the area.
    pos.goto(f"{base}/")
    pos.get_by_role("link", name="Serahkan paspor ke bagian pengantaran").click()
    expect(pos.get_by_label(f"Kurir untuk {order.code}")).to_have_value(str(tx_ref["couriers"]["kurir"].pk))
    pos.get_by_label("Saya telah memeriksa daftar ini").check()
    assert_accessible(pos)
    assert_fits_the_screen(pos)
    shot(pos, "handover")
    pos.get_by_role("button", name="Serahkan ke bagian pengantaran").click()
    expect(pos.get_by_role("status")).to_contain_text("1 paspor telah diserahkan ke bagian pengantaran")
    pos.goto(f"{base}/orders/{order.code}/")
    expect(pos.locator(".badge").first).to_have_text("Di bagian pengantaran PT Pos")
    expect(pos.locator("dl.facts").first).to_contain_text("Irfan Syam")

    timeline = pos.locator("ol.timeline li")
    expect(timeline).to_have_count(5)
    expect(timeline.nth(0)).to_contain_text("Sudah dipesan dan dibayar")
    expect(timeline.nth(1)).to_contain_text("Berkas diserahkan ke Imigrasi")
    expect(timeline.nth(1)).to_contain_text("Manifes: MNF-")
    expect(timeline.nth(2)).to_contain_text("Paspor siap di Imigrasi")
    expect(timeline.nth(2)).to_contain_text("Rahmat Hidayat")
    expect(timeline.nth(3)).to_contain_text(f"Kelompok: {batch.number}")
    expect(timeline.nth(4)).to_contain_text("Di bagian pengantaran PT Pos")
    assert_accessible(pos)
    assert_fits_the_screen(pos)
    shot(pos, "order")
    order.refresh_from_db()
    assert order.status == DeliveryStatus.WITH_DELIVERY_SECTION
    assert DeliveryEvent.objects.filter(order=order).count() == 5
