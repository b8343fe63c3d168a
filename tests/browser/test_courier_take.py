"""The courier takes passports from the delivery section on a 360 px phone: scanned (code + Enter)
and ticked, counted and listed, confirmed; a code of another courier's run refused by name with
nothing taken; then the run sheet; and no taking while offline."""

from __future__ import annotations

import io
import subprocess

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryOrder
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot
from tests.factories import make_order

pytestmark = pytest.mark.browser


def _status(order: DeliveryOrder) -> str:
    order.refresh_from_db()
    return order.status


def test_the_courier_scans_ticks_confirms_and_prints_the_run_sheet(live_server, tx_ref, phone):
    # given two passports waiting for the courier and one on another courier's run
    scanned = make_order(tx_ref, S.WITH_DELIVERY_SECTION)
    ticked = make_order(tx_ref, S.WITH_DELIVERY_SECTION, area="maros")
    theirs = make_order(tx_ref, S.WITH_DELIVERY_SECTION, courier="kurir2")
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    phone.on("dialog", answer)
    login(phone, live_server.url, "kurir")
    phone.goto(f"{live_server.url}/courier/")
    take = phone.locator("#take")
    expect(take.get_by_role("heading", name="Ambil paspor dari bagian antaran")).to_be_visible()

    # a scanner types the code and Enter; a box is ticked; another courier's code is scanned too
    scan = take.get_by_label("Pindai atau ketik kode pelacakan, lalu tekan Enter")
    scan.fill(scanned.code.lower())
    scan.press("Enter")
    take.get_by_role("checkbox", name=ticked.code).check()
    scan.fill(theirs.code)
    scan.press("Enter")
    scan.fill(scanned.code)
    scan.press("Enter")  # twice: said so, counted once
    expect(take.locator("#take-error")).to_contain_text(f"{scanned.code} sudah ada di daftar.")
    expect(take.locator("#take-count")).to_have_text("3")
    expect(take.locator("#take-list li")).to_have_count(3)
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    screenshot(take, "/tmp/kurir-take.png")

    # confirmed: the server refuses the other courier's code by name and takes nothing
    take.get_by_role("button", name="Ambil paspor yang dipilih").click()
    expect(phone.get_by_role("heading", name="Kode yang ditolak (1)")).to_be_visible()
    assert "Ambil 3 paspor ini dari bagian antaran?" in asked[0] and theirs.code in asked[0]
    expect(phone.get_by_text(f"{theirs.code} tidak ada di rute Anda.")).to_be_visible()
    assert (_status(scanned), _status(ticked), _status(theirs)) == (S.WITH_DELIVERY_SECTION,) * 3
    assert_accessible(phone)
    screenshot(phone, "/tmp/kurir-take-refused.png", full_page=True)

    # the two of the run are confirmed on that page and taken; the run sheet is linked
    phone.get_by_role("button", name="Konfirmasi: ambil 2 paspor").click()
    expect(phone.get_by_text("Anda mengambil 2 paspor dari bagian antaran.")).to_be_visible()
    assert (_status(scanned), _status(ticked), _status(theirs)) == (
        S.OUT_FOR_DELIVERY,
        S.OUT_FOR_DELIVERY,
        S.WITH_DELIVERY_SECTION,
    )
    expect(phone.locator(f"#order-{scanned.code} .run-status")).to_have_text("Sedang diantar")
    sheet_link = phone.get_by_role("link", name="Lembar jalan hari ini (PDF, 2 paspor)")
    expect(sheet_link).to_have_attribute("href", "/courier/run-sheet.pdf")
    assert_accessible(phone)
    screenshot(phone, "/tmp/kurir-take-done.png", full_page=False)
    pdf = phone.request.get(f"{live_server.url}/courier/run-sheet.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text().split())
    assert scanned.code in text and ticked.code in text and theirs.code not in text
    with open("/tmp/kurir-run-sheet.pdf", "wb") as out:
        out.write(pdf.body())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "/tmp/kurir-run-sheet.pdf", "/tmp/kurir-run-sheet"], check=True
    )


def test_taking_passports_waits_for_the_network(live_server, tx_ref, phone):
    waiting = make_order(tx_ref, S.WITH_DELIVERY_SECTION)
    login(phone, live_server.url, "kurir")
    phone.goto(f"{live_server.url}/courier/")
    phone.wait_for_function("navigator.serviceWorker.controller !== null")
    take = phone.locator("#take")
    expect(take.locator("#take-offline")).to_be_hidden()
    phone.context.set_offline(True)
    expect(take.locator("#take-offline")).to_be_visible()
    expect(take.locator("#take-offline")).to_have_text(
        "Mengambil paspor memerlukan jaringan: sambungkan dulu, lalu ambil paspornya."
    )
    expect(take.get_by_role("button", name="Ambil paspor yang dipilih")).to_be_disabled()
    assert_accessible(phone)
    phone.context.set_offline(False)
    expect(take.get_by_role("button", name="Ambil paspor yang dipilih")).to_be_enabled()
    assert _status(waiting) == S.WITH_DELIVERY_SECTION
