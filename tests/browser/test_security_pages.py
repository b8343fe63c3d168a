"""Two-step login set-up and login, the lock-out message, and pages free of CSP violations."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_accessible,
    assert_fits_the_screen,
    login_through_the_form,
    screenshot,
)

pytestmark = pytest.mark.browser

# Every blocked script, style or frame raises this event; the page keeps a list of them.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"""


def test_new_staff_member_sets_up_the_app_then_logs_in_with_a_code(
    live_server, tx_ref, screen, django_user_model
):
    from accounts.choices import Role

    django_user_model.objects.create_user(
        "kurir.baru", password="kurir-baru-2026", role=Role.COURIER, first_name="Kurir", last_name="Baru"
    )
    screen.goto(f"{live_server.url}/login/")
    screen.get_by_label("Nama pengguna").fill("kurir.baru")
    screen.get_by_label("Kata sandi").fill("kurir-baru-2026")
    screen.get_by_role("button", name="Masuk").click()

    expect(screen.get_by_role("heading", name="Atur login dua langkah")).to_be_visible()
    expect(screen.get_by_role("img", name="Kode QR kunci rahasia login dua langkah")).to_be_visible()
    secret = screen.locator("#totp-secret").inner_text().replace(" ", "")
    assert_accessible(screen)
    assert_fits_the_screen(screen)
    screenshot(screen, f"/tmp/sec-2fa-setup-{screen.viewport_name}.png", full_page=True)

    # An authenticator app holding the secret shown on the page:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    screen.get_by_label("Kode 6 digit dari aplikasi autentikator").fill("000000")
    screen.get_by_role("button", name="Konfirmasi dan lanjutkan").click()
    expect(screen.get_by_text("Kode itu tidak benar")).to_be_visible()
    screen.wait_for_timeout(1200)  # django-otp waits a second after a wrong code
    screen.get_by_label("Kode 6 digit dari aplikasi autentikator").fill(f"{totp(key):06d}")
    screen.get_by_role("button", name="Konfirmasi dan lanjutkan").click()
    expect(screen.get_by_text("Login dua langkah sudah aktif")).to_be_visible()

    screen.get_by_role("button", name="Keluar").click()
    login_through_the_form(screen, live_server.url, "kurir.baru", "kurir-baru-2026")
    expect(screen.get_by_role("heading", name=re.compile("Rute hari ini"))).to_be_visible()


def test_staff_login_asks_for_the_code(live_server, tx_ref, desktop):
    desktop.goto(f"{live_server.url}/login/")
    desktop.get_by_label("Nama pengguna").fill("imigrasi")
    desktop.get_by_label("Kata sandi").fill("antar-demo-2026")
    desktop.get_by_role("button", name="Masuk").click()
    expect(desktop.get_by_role("heading", name="Login dua langkah")).to_be_visible()
    desktop.goto(f"{live_server.url}/counter/")
    expect(desktop.get_by_role("heading", name="Login dua langkah")).to_be_visible()
    assert_accessible(desktop)
    screenshot(desktop, "/tmp/sec-2fa-verify.png", full_page=True)


def test_lock_out_after_five_wrong_passwords(live_server, tx_ref, phone):
    for _ in range(5):
        login_through_the_form(phone, live_server.url, "pos.layanan", password="salah-sandi-123")
    login_through_the_form(phone, live_server.url, "pos.layanan")

    expect(phone.get_by_role("alert")).to_contain_text("Masuk dikunci selama 15 menit")
    assert "/login/" in phone.url
    assert_accessible(phone)
    assert_fits_the_screen(phone)
    screenshot(phone, "/tmp/sec-lockout.png", full_page=True)


PAGES = {
    "pemohon": ["/", "/orders/APDEMO01/"],
    "imigrasi": [
        "/",
        "/counter/",
        "/counter/applications/new/",
        "/counter/ready/",
        "/counter/batches/new/",
        "/orders/APDEMO05/",
    ],
    "pos.layanan": ["/", "/counter/pay/", "/counter/manifests/new/", "/problems/"],
    "pos.antaran": ["/courier/dispatcher/"],
    "kurir": ["/courier/"],
    "manajer.pos": ["/partners/", "/partners/dashboard/"],
}


def test_main_pages_report_no_content_security_policy_violation(live_server, demo, browser):
    violations = []
    for username, paths in PAGES.items():
        context = browser.new_context(locale="id-ID", timezone_id="Asia/Makassar")
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "console",
            lambda m, u=username, found=violations: (
                found.append(f"{u}: {m.text}") if "Content Security Policy" in m.text else None
            ),
        )
        page.goto(f"{live_server.url}/track/?code=APDEMO01")
        login_through_the_form(page, live_server.url, username)  # the login and code pages too
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, (username, path, response.status)
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
            violations += [f"{username} {path}: {v}" for v in page.evaluate("window.__csp")]
        context.close()
    assert violations == []
