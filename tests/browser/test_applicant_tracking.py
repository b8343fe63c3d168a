"""Public tracking on a desktop and a 360 px phone: the seven steps, who holds the passport, the
lookup by NIK digits, a wrong secret; and the applicant's address change and cancel windows."""

import pytest
from playwright.sync_api import expect

from delivery.models import AddressChange, DeliveryOrder
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot

pytestmark = pytest.mark.browser


def test_tracking_by_nik_digits_shows_the_seven_steps_and_the_holder(live_server, demo, screen):
    order = DeliveryOrder.objects.get(code="APDEMO12")  # received by the Pos service section
    applicant = order.application.applicant
    screen.goto(f"{live_server.url}/track/")
    screen.get_by_label("Kode lacak").fill(order.code)
    screen.get_by_label("atau 4 digit terakhir NIK Anda").fill(
        "9999" if applicant.nik[-4:] != "9999" else "8888"
    )
    screen.get_by_role("button", name="Lacak").click()
    expect(screen.get_by_role("alert")).to_contain_text("Tidak ada pengiriman")

    # A mistyped field (past the browser's own check) keeps what was typed, is marked invalid and
    # points to its own message.
    nik = screen.get_by_label("atau 4 digit terakhir NIK Anda")
    nik.fill("12ab")
    screen.locator("form.track-form").evaluate("form => { form.noValidate = true; }")
    screen.get_by_role("button", name="Lacak").click()
    nik = screen.get_by_label("atau 4 digit terakhir NIK Anda")
    expect(nik).to_have_value("12ab")
    expect(nik).to_have_attribute("aria-invalid", "true")
    expect(screen.locator("#" + nik.get_attribute("aria-describedby"))).to_have_text("Masukkan 4 digit.")
    expect(screen.get_by_label("Kode lacak")).to_have_value(order.code)
    assert_accessible(screen)

    nik.fill(applicant.nik[-4:])
    screen.get_by_role("button", name="Lacak").click()
    expect(screen.get_by_role("heading", level=2).first).to_contain_text(order.code)
    # The digits were posted: the page's address is a signed link holding neither them nor the form.
    assert "/track/r/" in screen.url and applicant.nik[-4:] not in screen.url and "nik" not in screen.url
    expect(screen.locator(".holder")).to_have_text("PT Pos, bagian pelayanan")
    steps = screen.locator("ol.steps > li")
    expect(steps).to_have_count(7)
    expect(steps.nth(4)).to_contain_text("WITA")  # step 5 done, with its time
    expect(screen.locator('ol.steps [aria-current="step"]')).to_contain_text("bagian pengantaran")
    expect(screen.get_by_text("Tenggat: hari yang sama")).to_be_visible()
    page = screen.content()
    for secret in (applicant.nik, applicant.phone, applicant.address, applicant.full_name):
        assert secret not in page
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/applicant-track-{screen.viewport_name}.png", full_page=True)


def test_the_applicant_changes_the_address_then_cancels(live_server, demo, screen):
    login(screen, live_server.url, "pemohon")
    screen.goto(f"{live_server.url}/orders/APDEMO01/")
    screen.get_by_role("link", name="Ubah alamat pengiriman").click()
    expect(screen.get_by_role("heading", level=1)).to_contain_text("Ubah alamat pengiriman")
    screen.get_by_label("Wilayah").select_option(label="Selayar: Rp 90.000")
    screen.get_by_label("Alamat pengiriman").fill("Jl. Pahlawan No. 3, Benteng, Selayar")
    screen.get_by_role("button", name="Tampilkan biaya").click()
    difference = screen.locator("#fee-difference")
    expect(difference).to_contain_text("Rp 90.000")
    expect(difference).to_contain_text("selisih")
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/applicant-address-{screen.viewport_name}.png", full_page=True)
    assert not AddressChange.objects.filter(
        order__code="APDEMO01"
    ).exists()  # nothing before the confirmation
    screen.get_by_role("button", name="Konfirmasi alamat baru").click()
    expect(screen.get_by_role("status")).to_contain_text("Alamat pengiriman telah diubah")
    order = DeliveryOrder.objects.get(code="APDEMO01")
    assert order.area.code == "selayar" and order.delivery_fee == 90_000

    screen.get_by_role("link", name="Batalkan pengiriman").click()
    expect(
        screen.get_by_text("tidak dapat dibatalkan", exact=False)
        .or_(screen.get_by_text("tidak dapat diurungkan", exact=False))
        .first
    ).to_be_visible()
    screen.get_by_role("button", name="Ya, konfirmasi").click()
    order.refresh_from_db()
    assert order.status == "cancelled"
    expect(screen.get_by_text("alamat tidak dapat diubah lagi", exact=False)).to_be_visible()
    # after that the address page refuses with a clear message
    screen.goto(f"{live_server.url}/orders/APDEMO01/address/")
    expect(screen.get_by_role("status")).to_contain_text("tidak dapat diubah lagi")


def test_a_logged_out_lookup_by_date_of_birth_leaves_it_in_no_address_and_no_log(
    live_server, demo, screen, caplog
):
    """What a server's access log holds is each request's line and its referrer: the date of birth is
    in none of them, nor in any log line the portal writes, nor in the browser's history."""
    order = DeliveryOrder.objects.select_related("application__applicant").get(code="APDEMO01")
    born = order.application.applicant.birth_date
    requests = []
    screen.on("request", lambda request: requests.append((request.url, request.headers.get("referer", ""))))
    caplog.set_level("DEBUG")
    screen.goto(f"{live_server.url}/track/")
    screen.get_by_label("Kode lacak").fill(order.code)
    screen.get_by_label("Tanggal lahir").fill(born.isoformat())
    screen.get_by_role("button", name="Lacak").click()
    expect(screen.get_by_role("heading", level=2).first).to_contain_text(order.code)
    history = screen.evaluate("() => [location.href, document.referrer]")
    written = [
        born.isoformat(),
        born.strftime("%d/%m/%Y"),
        born.strftime("%d-%m-%Y"),
        born.strftime("%Y%m%d"),
    ]
    for text in [*(url for url, _ in requests), *(ref for _, ref in requests), *history, caplog.text]:
        for form in written:
            assert form not in text, text
    assert len(requests) >= 2 and any("/track/r/" in url for url, _ in requests)
