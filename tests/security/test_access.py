"""Staff need a second factor, failed logins lock out, quiet sessions end, passwords are long."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.seed import DEMO_PASSWORD
from tests.conftest import totp_code_for

pytestmark = pytest.mark.django_db


def _password_login(client: Client, username: str, password: str = DEMO_PASSWORD):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7")


def test_staff_password_alone_reaches_only_the_code_page(ref):
    client = Client()
    response = _password_login(client, "imigrasi")
    assert response.status_code == 302

    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"].startswith("/login/two-step/?next=")
    api = client.get("/api/v1/orders/")
    assert api.status_code == 403
    assert api.json()["code"] == "second_factor_required"


def test_staff_with_the_right_code_gets_in_and_a_wrong_code_is_refused(ref):
    client = Client()
    _password_login(client, "pos.layanan")

    wrong = client.post("/login/two-step/", {"code": "000000", "next": "/"})
    assert wrong.status_code == 200
    assert "Kode itu tidak benar" in wrong.content.decode()
    assert client.get("/").status_code == 302
    too_soon = client.post("/login/two-step/", {"code": totp_code_for("pos.layanan"), "next": "/counter/"})
    assert "Terlalu banyak kode yang salah" in too_soon.content.decode()  # django-otp's back-off

    time.sleep(2.1)  # the back-off doubles after each wrong code: 1 s, then 2 s
    right = client.post("/login/two-step/", {"code": totp_code_for("pos.layanan"), "next": "/counter/"})
    assert right.status_code == 302 and right["Location"] == "/counter/"
    assert client.get("/").status_code == 200


def test_a_code_cannot_be_used_twice(ref):
    device = TOTPDevice.objects.get(user=ref["users"]["kurir"])
    code = totp_code_for("kurir")
    first, second = Client(), Client()
    _password_login(first, "kurir")
    _password_login(second, "kurir")
    assert first.post("/login/two-step/", {"code": code}).status_code == 302
    assert second.post("/login/two-step/", {"code": code}).status_code == 200
    device.refresh_from_db()
    assert device.last_t > 0


def test_new_staff_member_sets_up_the_authenticator_at_first_login(ref, django_user_model):
    from accounts.choices import Role

    django_user_model.objects.create_user(
        "petugas.baru", password="petugas-baru-2026", role=Role.POS_DISPATCHER, office=ref["offices"]["pos"]
    )
    client = Client()
    client.post("/login/", {"username": "petugas.baru", "password": "petugas-baru-2026"})
    assert client.get("/")["Location"].startswith("/login/two-step/setup/")

    page = client.get("/login/two-step/setup/").content.decode()
    assert "<svg" in page and 'id="totp-secret"' in page
    device = TOTPDevice.objects.get(user__username="petugas.baru")
    assert not device.confirmed

    done = client.post("/login/two-step/setup/", {"code": totp_code_for("petugas.baru"), "next": "/"})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_applicants_and_travel_agencies_log_in_with_the_password_alone(ref):
    for username in ("pemohon", "travel"):
        client = Client()
        _password_login(client, username)
        assert client.get("/").status_code == 200


def test_five_wrong_passwords_lock_the_username_from_that_address(ref):
    client = Client()
    for _ in range(5):
        _password_login(client, "imigrasi", "wrong-password-1")

    locked = _password_login(client, "imigrasi")  # even the right password now
    assert locked.status_code == 429
    assert "Masuk dikunci selama 15 menit" in locked.content.decode()
    assert client.get("/counter/")["Location"].startswith("/login/")  # not logged in

    other_address = Client()
    ok = other_address.post(
        "/login/", {"username": "imigrasi", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.8"
    )
    assert ok.status_code == 302


def test_lock_out_message_in_english(ref):
    client = Client()
    client.cookies["django_language"] = "en"
    for _ in range(6):
        response = _password_login(client, "pemohon", "wrong-password-1")
    assert response.status_code == 429
    assert "Logging in is locked for 15 minutes" in response.content.decode()


def test_quiet_staff_session_ends_with_a_message(ref, settings):
    client = Client()
    client.force_login(ref["users"]["imigrasi"])
    assert client.get("/").status_code == 200
    session = client.session
    session["last_activity"] = int(time.time()) - settings.STAFF_IDLE_TIMEOUT - 5
    session.save()

    response = client.get("/counter/", follow=True)
    assert response.redirect_chain[0][0] == "/login/?next=%2Fcounter%2F"
    assert "Anda telah dikeluarkan setelah 30 menit tanpa aktivitas" in response.content.decode()
    assert client.get("/counter/")["Location"].startswith("/login/")  # still logged out


def test_applicant_session_lasts_longer_than_staff(ref, settings):
    assert settings.APPLICANT_IDLE_TIMEOUT > settings.STAFF_IDLE_TIMEOUT
    client = Client()
    client.force_login(ref["users"]["pemohon"])
    client.get("/")
    session = client.session
    session["last_activity"] = int(time.time()) - settings.STAFF_IDLE_TIMEOUT - 5
    session.save()
    assert client.get("/").status_code == 200


def test_passwords_need_ten_characters(ref):
    with pytest.raises(ValidationError):
        validate_password("Kt7#pq2!x", user=ref["users"]["imigrasi"])
    validate_password("Kt7#pq2!xZ", user=ref["users"]["imigrasi"])


def test_every_page_carries_a_content_security_policy_without_inline_script(ref):
    response = Client().get("/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_courier_back_from_an_hour_offline_can_still_sync(ref, settings):
    client = Client()
    client.force_login(ref["users"]["kurir"])
    client.get("/courier/")
    session = client.session
    session["last_activity"] = int(time.time()) - 90 * 60
    session.save()
    assert settings.COURIER_IDLE_TIMEOUT > 90 * 60
    assert client.get("/courier/").status_code == 200
