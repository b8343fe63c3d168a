"""Pickup at a Pos branch, on a desktop and a 360 px phone: the demo's walk-in applicant chooses a
branch through "manage my delivery" (confirming first), the dispatcher sends the passport there, the
tracking page says where it waits and what to bring, and the branch counter hands it over against
the delivery code."""

import re

import pytest
from playwright.sync_api import expect

from delivery.choices import DeliveryStatus as S
from delivery.handoff.codes import delivery_code_reveal
from delivery.manage.access import manage_code_send
from delivery.models import DeliveryOrder, ManageCode, ProofOfDelivery
from demo.seed import MANAGE_DEMO_NAME
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot
from tests.conftest import sms_for
from tests.factories import order_move_along

pytestmark = pytest.mark.browser


def _link_from_the_sms(order: DeliveryOrder) -> str:
    texts = [row["text"] for row in sms_for(order.code)]
    links = [found.group(0) for text in texts if (found := re.search(r"https?://\S+/m/\S+/", text))]
    assert links, texts
    return links[0]


def _code_from_the_sms(order: DeliveryOrder) -> str:
    rows = [row for row in sms_for(order.code) if row["reference"].startswith("manage-code-")]
    return re.search(r"\b(\d{6})\b", rows[-1]["text"]).group(1)


def test_a_walk_in_applicant_collects_the_passport_at_a_branch(live_server, demo, screen):
    order = DeliveryOrder.objects.get(application__applicant__full_name=MANAGE_DEMO_NAME)
    path = _link_from_the_sms(order)
    path = path[path.index("/m/") :]
    order = order_move_along(demo, order, S.WITH_DELIVERY_SECTION)
    applicant_name = order.application.applicant.full_name

    # The applicant confirms with a one-time code and opens "manage my delivery".
    screen.goto(f"{live_server.url}{path}")
    screen.get_by_role("button", name="Kirimi saya kode sekali pakai").click()
    manage_code_send(code_id=ManageCode.objects.filter(order=order).latest("pk").pk)
    screen.get_by_label("Kode sekali pakai").fill(_code_from_the_sms(order))
    screen.get_by_role("button", name="Konfirmasi").click()
    expect(screen.get_by_role("heading", level=1)).to_contain_text("Atur pengiriman saya")

    # The branches with their address and hours; nothing happens before the box is ticked.
    screen.get_by_role("link", name="Ambil di kantor pos cabang saja").click()
    expect(screen.get_by_role("heading", level=1)).to_contain_text("Ambil di kantor pos cabang")
    expect(screen.locator("#pickup-branches")).to_contain_text("Kantor Pos Sungguminasa")
    expect(screen.locator("#pickup-branches")).to_contain_text("Sen-Jum 08.00-15.00")
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/pickup-choose-{screen.viewport_name}.png", full_page=True)
    screen.get_by_label("Kantor Pos Daya", exact=False).check()
    screen.get_by_role("button", name="Ambil di cabang ini").click()
    expect(screen.locator(".errorlist").first).to_contain_text("Centang kotak ini")
    assert_accessible(screen)
    order.refresh_from_db()
    assert order.pickup_branch is None
    screen.get_by_label("Kantor Pos Daya", exact=False).check()
    screen.get_by_label("Saya mengerti", exact=False).check()
    screen.get_by_role("button", name="Ambil di cabang ini").click()
    expect(screen.locator("#manage-pickup-branch")).to_contain_text("Kantor Pos Daya")
    expect(screen.get_by_role("link", name="Ambil di kantor pos cabang saja")).to_have_count(0)
    assert_accessible(screen)
    order.refresh_from_db()
    assert order.pickup_branch.name == "Kantor Pos Daya"

    # The dispatcher sends it to the branch from the order page.
    login(screen, live_server.url, "pos.antaran")
    screen.goto(f"{live_server.url}/orders/{order.code}/")
    expect(screen.locator("#pickup-branch")).to_contain_text("Kantor Pos Daya")
    screen.get_by_role("link", name="Kirim ke kantor pos cabang").click()
    screen.get_by_role("button", name="Ya, konfirmasi").click()
    expect(screen.locator(".badge").first).to_have_text("Menunggu di kantor pos cabang")

    # The tracking page behind the link: where, when open, what to bring.
    screen.goto(f"{live_server.url}{path}")
    waiting = screen.locator(".pickup-waiting")
    expect(waiting).to_contain_text("Kantor Pos Daya")
    expect(waiting).to_contain_text("Bawa kode pengantaran")
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/pickup-tracking-{screen.viewport_name}.png", full_page=True)

    # The branch counter: a wrong code is refused, the right one hands the passport over.
    login(screen, live_server.url, "pos.layanan")
    screen.goto(f"{live_server.url}/orders/{order.code}/")
    screen.get_by_role("link", name="Serahkan di loket cabang").click()
    expect(screen.locator("#handover-applicant")).to_have_text(applicant_name)
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/pickup-handover-{screen.viewport_name}.png", full_page=True)
    code = delivery_code_reveal(order_id=order.pk)
    screen.get_by_label("Kode pengantaran pemohon").fill("000000" if code != "000000" else "111111")
    screen.get_by_label("Identitas yang ditunjukkan").select_option("ktp")
    screen.get_by_label("4 huruf atau angka terakhir identitas").fill("0045")
    screen.get_by_role("button", name="Serahkan paspor").click()
    expect(screen.locator(".errorlist").first).to_be_visible()
    assert_accessible(screen)
    order.refresh_from_db()
    assert order.status == S.AT_PICKUP_BRANCH
    screen.get_by_label("Kode pengantaran pemohon").fill(code)
    screen.get_by_role("button", name="Serahkan paspor").click()
    expect(screen.locator(".badge").first).to_have_text("Terkirim")
    expect(screen.locator("#proof-receiver")).to_contain_text(applicant_name)
    assert_accessible(screen)
    order.refresh_from_db()
    assert order.status == S.DELIVERED
    assert ProofOfDelivery.objects.get(order=order).receiver_name == applicant_name
