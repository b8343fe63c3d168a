"""Imigrasi marks a stack of printed passports ready on one page, then releases them in a batch."""

import re

import pytest
from playwright.sync_api import expect

from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryEvent, DeliveryOrder
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot
from tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_imigrasi_marks_the_printed_passports_ready_together(live_server, tx_ref, phone):
    base, page = live_server.url, phone
    printed = [make_order(tx_ref, S.DOSSIER_HANDED) for _ in range(2)]
    waiting = make_order(tx_ref, S.DOSSIER_HANDED)  # still at the printer

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    login(page, base, "imigrasi")
    page.goto(f"{base}/counter/")
    page.get_by_role("link", name="Paspor selesai dicetak").first.click()
    expect(
        page.get_by_role("heading", name="Tandai paspor yang selesai dicetak sebagai siap")
    ).to_be_visible()
    assert_accessible(page)
    assert_fits_the_screen(page)

    # Nothing ticked: a clear message, nothing moves.
    expect(page.locator("[data-selection-summary]")).to_have_text("Belum ada yang dipilih.")
    page.get_by_role("button", name="Tandai paspor yang dicentang sebagai siap").click()
    expect(page.get_by_role("alert").first).to_contain_text("Pilih sekurang-kurangnya satu paspor")
    assert_accessible(page)

    # A malformed passport number: a clear message at the top, the typed numbers kept, nothing moves.
    numbers = {printed[0].code: "E1234567", printed[1].code: "X7654321"}
    for order in printed:
        page.get_by_role("checkbox", name=re.compile(order.code)).check()
    page.get_by_label(f"Nomor paspor {printed[0].code}").fill("E1234567")
    page.get_by_label(f"Nomor paspor {printed[1].code}").fill("X76")
    expect(page.locator("[data-selection-summary]")).to_have_text(
        f"2 dipilih: {printed[0].code}, {printed[1].code}"
    )
    page.get_by_role("button", name="Tandai paspor yang dicentang sebagai siap").click()
    expect(page.get_by_role("alert").first).to_contain_text(f"{printed[1].code}: X76 bukan nomor paspor")
    expect(page.get_by_label(f"Nomor paspor {printed[0].code}")).to_have_value("E1234567")
    assert_accessible(page)
    assert DeliveryOrder.objects.get(pk=printed[0].pk).status == S.DOSSIER_HANDED

    # The two printed ones with their numbers, confirmed: both ready, and the officer lands on the
    # release page.
    page.get_by_label(f"Nomor paspor {printed[1].code}").fill("X7654321")
    screenshot(page, "/tmp/counter-ready.png", full_page=True)
    page.get_by_role("button", name="Tandai paspor yang dicentang sebagai siap").click()
    expect(page.get_by_role("status").filter(has_text="ditandai siap")).to_contain_text(
        "2 paspor ditandai siap"
    )
    assert dialogs == ["Tandai 2 paspor siap diserahkan? Ini tidak dapat dibatalkan."] * 2
    expect(page.get_by_role("heading", name="Serahkan kelompok paspor ke Pos")).to_be_visible()
    for order in printed:
        expect(page.get_by_label(re.compile(order.code))).to_be_visible()
        assert DeliveryOrder.objects.get(pk=order.pk).status == S.PASSPORT_READY
        assert DeliveryOrder.objects.get(pk=order.pk).passport_number == numbers[order.code]
        assert DeliveryEvent.objects.filter(order=order, to_status=S.PASSPORT_READY).count() == 1
    assert DeliveryOrder.objects.get(pk=waiting.pk).status == S.DOSSIER_HANDED

    # Back on the page, only the passport still at the printer is listed.
    page.get_by_role("link", name="Paspor selesai dicetak").first.click()
    expect(page.get_by_role("checkbox", name=re.compile(waiting.code))).to_be_visible()
    for order in printed:
        expect(page.get_by_role("checkbox", name=re.compile(order.code))).to_have_count(0)
