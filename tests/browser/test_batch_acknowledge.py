"""Step 5 passport by passport on the Pos officer's screen: the batch found on the home page, one
passport acknowledged by scanning its code (after a confirmation showing what is selected), a code
from elsewhere refused by name, and the other passport reported missing; Imigrasi sees each state."""

import re

import pytest
from playwright.sync_api import expect

from delivery.choices import DeliveryStatus as S
from delivery.counter.batches import batch_release
from delivery.models import DeliveryOrder, LostPassportCase
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot

pytestmark = pytest.mark.browser


def test_one_passport_scanned_and_one_reported_missing(live_server, demo, screen, desktop):
    from accounts.models import User

    ready = list(
        DeliveryOrder.objects.filter(status=S.PASSPORT_READY, batch_item__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    assert len(ready) == 2
    scanned, missing = ready
    batch = batch_release(actor=User.objects.get(username="imigrasi"), codes=ready)
    base = live_server.url

    login(screen, base, "pos.layanan")
    screen.goto(f"{base}/counter/")
    waiting = screen.locator(".awaiting li", has_text=batch.number)
    expect(waiting).to_contain_text("2 dari 2 paspor menunggu")
    assert_accessible(screen)
    waiting.get_by_role("link", name=batch.number).click()
    expect(screen.locator(".batch-status")).to_have_text("Dalam serah terima")
    expect(screen.locator("#ack-summary")).to_have_text("Belum ada yang dipilih.")

    screen.wait_for_selector("#ack-form[data-ready]", state="attached")  # its script is running
    scan = screen.get_by_label("Pindai atau ketik kode pelacakan, lalu tekan Enter")
    scan.type("APNOTHERE9\n")
    expect(screen.locator("#scan-status")).to_contain_text(
        f"Tidak ada dalam kelompok {batch.number}: APNOTHERE9"
    )
    scan.type(scanned.lower() + "\n")
    expect(screen.locator("#scan-status")).to_contain_text(f"Dipilih: {scanned}")
    expect(screen.get_by_label(re.compile(scanned))).to_be_checked()
    expect(screen.locator("#ack-summary")).to_have_text(f"1 dipilih: {scanned}")
    screen.get_by_label("Saya telah memeriksa daftar ini").check()
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/batch-ack-scanned-{screen.viewport_name}.png", full_page=True)

    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    screen.once("dialog", answer)
    screen.get_by_role("button", name="Konfirmasi penerimaan paspor yang dipilih").click()
    expect(screen.get_by_role("status").first).to_contain_text(
        f"Diterima oleh bagian pelayanan Pos: {scanned}"
    )
    assert asked and f"1 dipilih: {scanned}" in asked[0]
    expect(screen.locator(f'.batch-items [data-code="{scanned}"] .item-status')).to_have_text(
        "Diterima oleh Pos"
    )
    expect(screen.locator(".batch-status")).to_have_text("Dalam serah terima")

    # the other one is not in the bag: reported missing, with what was looked for
    screen.get_by_label("Paspor", exact=True).select_option(missing)
    screen.get_by_label("Hilang", exact=True).check()
    screen.get_by_label("Apa yang ditemukan atau tidak ditemukan, di mana dan kapan").fill(
        "Tidak ada dalam map kelompok saat dibuka di loket"
    )
    screen.get_by_label("Saya sudah mencari paspor ini").check()
    screen.get_by_role("button", name="Laporkan paspor ini").click()
    case = LostPassportCase.objects.get(order__code=missing)
    expect(screen.get_by_role("status").first).to_contain_text(f"kasus paspor hilang {case.number} dibuka")
    expect(screen.locator(".batch-status")).to_have_text("Diterima oleh Pos, dengan paspor dilaporkan")
    expect(screen.locator(f'.batch-items [data-code="{missing}"]')).to_contain_text("Dilaporkan hilang")
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/batch-ack-done-{screen.viewport_name}.png", full_page=True)
    assert DeliveryOrder.objects.get(code=scanned).status == S.RECEIVED_BY_POS
    assert DeliveryOrder.objects.get(code=missing).status == S.PASSPORT_READY

    # Imigrasi's view of the same batch: each passport's state, nothing to tick
    imigrasi = desktop
    login(imigrasi, base, "imigrasi")
    imigrasi.goto(f"{base}/counter/batches/{batch.pk}/")
    expect(imigrasi.locator(f'.batch-items [data-code="{scanned}"]')).to_contain_text("oleh Sri Wahyuni")
    expect(imigrasi.get_by_role("link", name=f"Kasus {case.number}")).to_be_visible()
    expect(imigrasi.locator('input[name="codes"]')).to_have_count(0)
    assert_accessible(imigrasi)
