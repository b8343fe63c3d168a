"""Step 4 signed on both sides in the browser: Imigrasi acknowledges a manifest's dossiers by
scanning them; every selection page shows the count and the list before the officer confirms (a
dialog with JS, a confirmation step without)."""

import re

import pytest
from playwright.sync_api import expect

from delivery.choices import DeliveryStatus as S
from delivery.counter.manifest import manifest_hand_over
from delivery.models import Batch, DeliveryOrder, Manifest, ManifestItem
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot
from tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_js(phone):
    """The phone with the selection script not loaded (blocked, as an old browser or a failed
    download would leave it): the pages must still list the selection before acting."""
    phone.route("**/js/selection.js", lambda route: route.abort())
    return phone


def test_imigrasi_acknowledges_a_manifest_by_scanning_and_both_sides_see_it(
    live_server, tx_ref, phone, desktop
):
    base = live_server.url
    a, b = make_order(tx_ref, S.BOOKED), make_order(tx_ref, S.BOOKED)
    manifest = manifest_hand_over(actor=tx_ref["users"]["pos.layanan"], order_ids=[a.pk, b.pk])

    login(phone, base, "imigrasi")
    phone.goto(f"{base}/counter/")
    expect(phone.get_by_role("heading", name="Manifes yang menunggu pernyataan terima Anda")).to_be_visible()
    expect(phone.locator(".card").filter(has_text=manifest.number).first).to_contain_text(
        "2 dari 2 dalam serah terima"
    )
    phone.get_by_role("link", name=manifest.number).first.click()
    expect(phone.locator("#receipt-counts")).to_contain_text("dalam serah terima: 2")
    phone.wait_for_selector("form[data-selection][data-ready]", state="attached")  # its script runs
    scan = phone.get_by_label("Pindai atau ketik kode pelacakan, lalu tekan Enter")
    scan.type("APNOTHERE9\n")
    expect(phone.locator("#scan-status")).to_contain_text("Tidak menunggu di manifes ini: APNOTHERE9")
    scan.type(a.code.lower() + "\n")
    expect(phone.get_by_role("checkbox", name=f"Diterima {a.code}")).to_be_checked()
    expect(phone.get_by_role("checkbox", name=f"Diterima {b.code}")).not_to_be_checked()
    expect(phone.locator("[data-selection-summary]")).to_have_text(f"1 dipilih: {a.code}")
    screenshot(phone, "/tmp/manifest-receipt-scan.png", full_page=True)
    assert_accessible(phone)
    assert_fits_the_screen(phone)
    dialogs: list[str] = []
    phone.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    phone.get_by_role("button", name="Nyatakan berkas yang dicentang sudah diterima").click()
    expect(phone.get_by_role("status").filter(has_text="dinyatakan diterima")).to_contain_text(
        "1 berkas dinyatakan diterima"
    )
    assert dialogs == ["Nyatakan 1 berkas sudah diterima? Ini tidak dapat dibatalkan."]
    expect(phone.locator("#receipt-counts")).to_contain_text("Diterima Imigrasi: 1")
    item = ManifestItem.objects.get(order=a)
    assert item.received_by == tx_ref["users"]["imigrasi"]
    assert_accessible(phone)
    screenshot(phone, "/tmp/manifest-receipt-done.png", full_page=True)

    # The Pos officer sees the one still in handover on their home page and the manifest page.
    login(desktop, base, "pos.layanan")
    desktop.goto(f"{base}/counter/")
    expect(desktop.get_by_role("heading", name="Berkas dalam serah terima ke Imigrasi")).to_be_visible()
    expect(
        desktop.get_by_text("1 berkas dalam serah terima, belum dinyatakan diterima Imigrasi.")
    ).to_be_visible()
    assert_accessible(desktop)
    screenshot(desktop, "/tmp/manifest-receipt-pos-home.png", full_page=True)
    desktop.goto(f"{base}/counter/manifests/{manifest.pk}/")
    expect(desktop.get_by_role("row", name=re.compile(b.code))).to_contain_text("Dalam serah terima")
    expect(desktop.get_by_role("button", name=re.compile("Nyatakan"))).to_have_count(0)
    assert_accessible(desktop)


def test_without_js_each_selection_page_lists_what_is_ticked_before_anything_is_done(
    live_server, tx_ref, no_js
):
    base, page = live_server.url, no_js
    booked = [make_order(tx_ref, S.BOOKED) for _ in range(2)]
    login(page, base, "pos.layanan")

    # The manifest: nothing ticked, two ticked, the confirmation step lists both; nothing is done yet.
    page.goto(f"{base}/counter/manifests/new/")
    for order in booked:
        expect(page.get_by_label(re.compile(order.code))).not_to_be_checked()
        page.get_by_label(re.compile(order.code)).check()
    page.get_by_role("button", name="Serahkan dan buat manifes").click()
    expect(page.get_by_role("heading", name="Serahkan 2 berkas ini ke Imigrasi?")).to_be_visible()
    for order in booked:
        expect(page.get_by_role("listitem").filter(has_text=order.code)).to_be_visible()
    assert not Manifest.objects.exists()
    assert_accessible(page)
    screenshot(page, "/tmp/selection-confirm-manifest.png", full_page=True)
    # "Change the selection" brings the page back with the ticks kept; then confirm.
    page.get_by_role("button", name="Ubah pilihan").click()
    expect(page.get_by_label(re.compile(booked[0].code))).to_be_checked()
    page.get_by_role("button", name="Serahkan dan buat manifes").click()
    page.get_by_role("button", name="Serahkan 2 berkas dan buat manifes").click()
    expect(page.get_by_role("heading", name=re.compile("Manifes"))).to_contain_text("MNF-")
    assert Manifest.objects.get().orders.count() == 2

    # Mark ready (Imigrasi): the step lists the passport numbers typed.
    login(page, base, "imigrasi")
    page.goto(f"{base}/counter/ready/")
    page.get_by_role("checkbox", name=re.compile(booked[0].code)).check()
    page.get_by_label(f"Nomor paspor {booked[0].code}").fill("E1234567")
    page.get_by_role("button", name="Tandai paspor yang dicentang sebagai siap").click()
    expect(page.get_by_role("heading", name="Tandai 1 paspor ini siap?")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=booked[0].code)).to_contain_text("paspor E1234567")
    assert_accessible(page)
    screenshot(page, "/tmp/selection-confirm-ready.png", full_page=True)
    assert DeliveryOrder.objects.get(pk=booked[0].pk).status == S.DOSSIER_HANDED
    page.get_by_role("button", name="Tandai 1 paspor siap").click()
    expect(page.get_by_role("heading", name="Serahkan kelompok paspor ke Pos")).to_be_visible()
    assert DeliveryOrder.objects.get(pk=booked[0].pk).status == S.PASSPORT_READY

    # The batch: a code typed in the scan field and Enter (no JS) goes to the confirmation step.
    page.get_by_label("Pindai atau ketik kode pelacakan, lalu tekan Enter").fill(booked[0].code.lower())
    page.get_by_label("Pindai atau ketik kode pelacakan, lalu tekan Enter").press("Enter")
    expect(page.get_by_role("heading", name="Serahkan 1 paspor ini ke Pos dalam satu batch?")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=booked[0].code)).to_be_visible()
    assert_accessible(page)
    assert not Batch.objects.exists()
    page.get_by_role("button", name="Serahkan 1 paspor dan cetak suratnya").click()
    expect(page.locator(".batch-status")).to_have_text("Dalam serah terima")
    assert Batch.objects.get().items.get().order_id == booked[0].pk
