"""The courier's run on a 360 px phone: a full run, going offline, a refused update, and the
service worker serving the run page with no network."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from delivery.choices import DeliveryStatus as S
from delivery.handoff import codes
from delivery.handoff import transitions as t
from delivery.models import DeliveryEvent, ProofOfDelivery
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot
from tests.factories import make_order

pytestmark = pytest.mark.browser


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def open_run(page, base_url: str) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, base_url, "kurir")
    page.goto(f"{base_url}/courier/")
    expect(page.get_by_role("heading", name="Rute hari ini")).to_be_visible()
    # The service worker has installed (run page cached) and controls the page.
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def sign(card) -> None:
    canvas = card.locator("canvas.sig")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page = card.page
    page.mouse.move(box["x"] + 20, box["y"] + 30)
    page.mouse.down()
    page.mouse.move(box["x"] + 140, box["y"] + 90, steps=8)
    page.mouse.move(box["x"] + 220, box["y"] + 40, steps=8)
    page.mouse.up()


def fill_id(card, kind: str = "KTP (kartu tanda penduduk)", last_four: str = "4321") -> None:
    card.get_by_label("Identitas yang ditunjukkan penerima").select_option(label=kind)
    card.get_by_label("4 huruf atau angka terakhir identitas").fill(last_four)


def deliver_by_code(card, code: str) -> None:
    card.get_by_text("Serahkan paspor").click()
    card.get_by_label("Kode pengantaran pemohon").fill(code)
    fill_id(card)
    sign(card)
    card.get_by_role("button", name="Catat penyerahan").click()


def deliver_to_stand_in(card, code: str, *, authorisation: bool = True) -> None:
    card.get_by_text("Serahkan paspor").click()
    card.get_by_role("radio", name="Wakil penerima").check()
    card.get_by_label("Kode pengantaran pemohon").fill(code)
    fill_id(card, "SIM (surat izin mengemudi)", "b12x")
    card.get_by_label("Nama wakil penerima").fill("Rina Marlina")
    card.get_by_label("Hubungan dengan pemohon").fill("Kakak")
    if authorisation:
        card.get_by_label("Foto surat kuasa tertulis dari pemohon (wajib)").set_input_files(
            files=[{"name": "kuasa.png", "mimeType": "image/png", "buffer": png_bytes()}]
        )
    sign(card)
    card.get_by_role("button", name="Catat penyerahan").click()


def fail_attempt(card, reason: str = "Tidak ada orang di rumah") -> None:
    card.locator("summary", has_text="Pengantaran gagal").click()
    card.get_by_label("Alasan", exact=True).select_option(label=reason)
    card.get_by_role("button", name="Catat pengantaran gagal").click()


def test_a_full_run_by_code_by_stand_in_and_one_failed_attempt(live_server, tx_ref, phone):
    # given three passports on the courier's run
    first = make_order(tx_ref, S.WITH_DELIVERY_SECTION)
    second = make_order(tx_ref, S.OUT_FOR_DELIVERY)
    third = make_order(tx_ref, S.OUT_FOR_DELIVERY, area="maros")
    open_run(phone, live_server.url)
    expect(phone.locator("#total-to-deliver")).to_have_text("3")
    expect(phone.get_by_role("heading", name="Makassar")).to_be_visible()
    expect(phone.get_by_role("heading", name="Maros")).to_be_visible()
    card1 = phone.locator(f"#order-{first.code}")
    expect(card1.get_by_role("link", name=re.compile("Telepon"))).to_have_attribute(
        "href", "tel:081234567890"
    )
    expect(card1.get_by_role("link", name="Buka di peta")).to_have_attribute("href", re.compile("maps"))
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    screenshot(phone, "/tmp/kurir-run.png", full_page=True)

    # the first goes out, then a mistyped code (one digit wrong) is caught on the phone itself by
    # the check digit, with nothing sent
    card1.get_by_role("button", name="Bawa untuk diantar").click()
    expect(card1.locator(".run-status")).to_have_text("Sedang diantar")
    right = codes.delivery_code_reveal(order_id=first.pk)
    deliver_by_code(card1, right[:2] + str((int(right[2]) + 1) % 10) + right[3:])
    expect(card1.get_by_role("alert")).to_contain_text("Ini bukan kode pengantaran")
    expect(phone.locator("#queue-count")).to_have_text("0")
    card1.get_by_label("Kode pengantaran pemohon").fill(codes.delivery_code_reveal(order_id=first.pk))
    card1.get_by_label("Foto penyerahan (opsional)").set_input_files(
        files=[{"name": "foto.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    assert_accessible(phone)
    screenshot(phone, "/tmp/kurir-deliver-form.png", full_page=False)
    card1.get_by_role("button", name="Catat penyerahan").click()
    expect(card1.locator(".run-status")).to_have_text("Terkirim")

    # the second to a stand-in, the third fails
    deliver_to_stand_in(
        phone.locator(f"#order-{second.code}"), codes.delivery_code_reveal(order_id=second.pk)
    )
    fail_attempt(phone.locator(f"#order-{third.code}"))
    expect(phone.locator(f"#order-{third.code} .run-status")).to_have_text("Pengantaran gagal")
    expect(phone.locator("#queue-count")).to_have_text("0")
    expect(phone.locator("#total-delivered")).to_have_text("2")
    expect(phone.locator("#total-failed")).to_have_text("1")

    # then the server has each update once, with its proof
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert (first.status, second.status, third.status) == (S.DELIVERED, S.DELIVERED, S.FAILED_ATTEMPT)
    photo = ProofOfDelivery.objects.get(order=first).photo
    with Image.open(photo.path) as stored:
        assert stored.format == "JPEG" and max(stored.size) == 1280  # resized on the phone
    stand_in = ProofOfDelivery.objects.get(order=second)
    assert (stand_in.receiver_kind, stand_in.relation, stand_in.id_type, stand_in.id_last_four) == (
        "stand_in",
        "Kakak",
        "sim",
        "B12X",
    )
    assert stand_in.authorisation_photo.size > 0
    assert (
        DeliveryEvent.objects.get(order=third, to_status=S.FAILED_ATTEMPT).payload["reason"] == "not_at_home"
    )

    # and the applicant's tracking page says who received it
    phone.goto(f"{live_server.url}/track/?code={second.code}")
    phone.get_by_label("Tanggal lahir").fill("1990-05-17")
    phone.get_by_role("button", name="Lacak").click()
    expect(phone.locator(".received")).to_contain_text("wakil: Kakak (Rina Marlina)")
    assert "B12X" not in phone.content()
    assert_accessible(phone)


def test_offline_updates_wait_in_the_queue_and_arrive_once_with_their_device_times(
    live_server, tx_ref, phone
):
    # given a run loaded while online
    away = make_order(tx_ref, S.OUT_FOR_DELIVERY)
    home = make_order(tx_ref, S.OUT_FOR_DELIVERY)
    open_run(phone, live_server.url)

    # when the network goes and the page is reloaded, the service worker still serves the run
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.get_by_role("heading", name="Rute hari ini")).to_be_visible()
    expect(phone.locator("#net")).to_have_text("Luring: pembaruan disimpan di ponsel ini")

    # and two updates are made offline
    fail_attempt(phone.locator(f"#order-{away.code}"), reason="Alamat tidak ditemukan")
    deliver_by_code(phone.locator(f"#order-{home.code}"), codes.delivery_code_reveal(order_id=home.pk))
    expect(phone.locator("#queue-count")).to_have_text("2")
    expect(phone.locator("#queue li")).to_have_count(2)
    assert_accessible(phone)
    screenshot(phone, "/tmp/kurir-offline.png", full_page=True)
    queued_times = phone.evaluate("""() => new Promise((resolve) => {
        const req = indexedDB.open("antar-kurir", 1);
        req.onsuccess = () => { const all = req.result.transaction("queue").objectStore("queue").getAll();
          all.onsuccess = () => resolve(all.result.map((i) => [i.order, i.body.device_time])); };
    })""")
    assert not DeliveryEvent.objects.filter(
        order__in=[away, home], to_status__in=[S.FAILED_ATTEMPT, S.DELIVERED]
    ).exists()

    # then back online both arrive, in order, exactly once
    phone.context.set_offline(False)
    expect(phone.locator("#queue-count")).to_have_text("0", timeout=20_000)
    expect(phone.locator("#net")).to_have_text("Daring")
    phone.reload()
    phone.wait_for_load_state("networkidle")
    failed = DeliveryEvent.objects.filter(order=away, to_status=S.FAILED_ATTEMPT)
    delivered = DeliveryEvent.objects.filter(order=home, to_status=S.DELIVERED)
    assert failed.count() == 1 and delivered.count() == 1
    device = dict(queued_times)
    assert failed.get().device_time.isoformat().startswith(device[away.code][:19])
    assert delivered.get().device_time.isoformat().startswith(device[home.code][:19])
    assert failed.get().occurred_at > failed.get().device_time  # received after it was made
    assert failed.get().pk < delivered.get().pk  # synced in the order they were made


def test_an_update_for_an_order_cancelled_meanwhile_is_refused_with_the_reason(live_server, tx_ref, phone):
    order = make_order(tx_ref, S.OUT_FOR_DELIVERY)
    open_run(phone, live_server.url)
    phone.context.set_offline(True)
    fail_attempt(phone.locator(f"#order-{order.code}"))
    expect(phone.locator("#queue-count")).to_have_text("1")

    # meanwhile the dispatcher stops the delivery
    t.delivery_order_cancel_delivery(
        order_id=order.pk, actor=tx_ref["users"]["pos.antaran"], reason="Dibatalkan pemohon"
    )

    phone.context.set_offline(False)
    refused = phone.locator("#refused")
    expect(refused).to_contain_text(order.code, timeout=20_000)
    expect(refused).to_contain_text("Ditolak oleh server")
    expect(refused).to_contain_text("Dibatalkan")
    expect(phone.locator("#queue-count")).to_have_text("0")
    assert not DeliveryEvent.objects.filter(order=order, to_status=S.FAILED_ATTEMPT).exists()
    assert_accessible(phone)


def test_the_run_page_is_light(live_server, tx_ref, phone):
    make_order(tx_ref, S.OUT_FOR_DELIVERY)
    login(phone, live_server.url, "kurir")
    phone.goto(f"{live_server.url}/courier/")
    phone.wait_for_load_state("networkidle")
    total = phone.evaluate("""() => performance.getEntriesByType('navigation').concat(
        performance.getEntriesByType('resource')).reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0)""")
    assert 0 < total < 150_000
