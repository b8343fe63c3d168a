"""One lock for every lookup that reveals something (core.lookups), one client address behind the
proxy, and the server's own limit on delivery codes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from complaints.services import complaint_open
from delivery.choices import DeliveryStatus as S
from delivery.handoff import codes
from delivery.models import DeliveryCode, DeliveryCodeAttempt, Problem, ProblemKind
from passports.models import BillingCode
from tests.applicant.helpers import make_billed_application, signature_png
from tests.courier.helpers import courier_client, image_data_url, post
from tests.factories import make_order

BORN = dt.date(1990, 5, 17)
WRONG_BIRTH = "1991-01-01"


def track(client, code, born=WRONG_BIRTH, **extra):
    return client.post("/track/", {"code": code, "birth_date": born}, follow=True, **extra)


def behind_proxy(address: str) -> dict:
    return {"HTTP_X_FORWARDED_FOR": address, "REMOTE_ADDR": "10.0.0.2"}  # the proxy's own address


@override_settings(PROXY_COUNT=1)
def test_behind_the_proxy_one_visitors_failures_do_not_lock_another(ref):
    order = make_order(ref, S.BOOKED, birth_date=BORN)
    other = make_order(ref, S.BOOKED, birth_date=BORN)
    client = Client()
    for n in range(10):
        assert track(client, f"APNOSUCH{n:02d}", **behind_proxy("203.0.113.5")).status_code == 404
    # the same visitor is locked out, everywhere a lookup reveals something
    assert track(client, order.code, "1990-05-17", **behind_proxy("203.0.113.5")).status_code == 429
    assert (
        APIClient()
        .post(
            "/api/v1/track/",
            {"code": order.code, "birth_date": "1990-05-17"},
            format="json",
            **behind_proxy("203.0.113.5"),
        )
        .status_code
        == 429
    )
    booking = Client().post(
        "/book/", {"billing_code": "1" * 15, "birth_date": "1990-05-17"}, **behind_proxy("203.0.113.5")
    )
    assert booking.status_code == 429
    # another visitor behind the same proxy is not
    assert track(client, other.code, "1990-05-17", **behind_proxy("203.0.113.9")).status_code == 200
    assert (
        APIClient()
        .post(
            "/api/v1/track/",
            {"code": other.code, "birth_date": "1990-05-17"},
            format="json",
            **behind_proxy("203.0.113.9"),
        )
        .status_code
        == 200
    )


@override_settings(PROXY_COUNT=1)
def test_anonymous_idempotency_keys_belong_to_the_client_address_behind_the_proxy(ref):
    order = make_order(ref, S.BOOKED, birth_date=BORN)
    body = {"code": order.code, "birth_date": "1990-05-17"}
    first = APIClient().post(
        "/api/v1/track/", body, format="json", HTTP_IDEMPOTENCY_KEY="same-key", **behind_proxy("203.0.113.5")
    )
    # another visitor using the same key with another body is another owner, not a replay or a clash
    other = APIClient().post(
        "/api/v1/track/",
        {**body, "birth_date": WRONG_BIRTH},
        format="json",
        HTTP_IDEMPOTENCY_KEY="same-key",
        **behind_proxy("203.0.113.9"),
    )
    assert first.status_code == 200 and other.status_code == 404


def test_one_code_is_locked_whatever_the_address(ref):
    order = make_order(ref, S.BOOKED, birth_date=BORN)
    other = make_order(ref, S.BOOKED, birth_date=BORN)
    for n in range(10):
        assert track(Client(), order.code, REMOTE_ADDR=f"198.51.100.{n}").status_code == 404
    # the secret of this code cannot be guessed from an eleventh address, even right
    assert track(Client(), order.code, "1990-05-17", REMOTE_ADDR="198.51.100.99").status_code == 429
    # other codes are answered as usual from that address
    assert track(Client(), other.code, "1990-05-17", REMOTE_ADDR="198.51.100.99").status_code == 200


def test_the_booking_api_counts_wrong_birth_dates_like_the_page(ref):
    application = make_billed_application(ref, birth_date=BORN, paid=True)
    code = BillingCode.objects.get(application=application).code
    api = APIClient()
    statuses = [
        api.post(
            "/api/v1/bookings/",
            {
                "billing_code": code,
                "birth_date": f"1980-01-{day:02d}",
                "destination_kind": "home",
                "address": "Jl. Sultan Hasanuddin No. 8, Makassar",
                "area": "makassar",
                "recipient_phone": "081355512345",
                "recipient_email": "daring@example.test",
                "signature": image_data_url(),
            },
            format="json",
        ).status_code
        for day in range(1, 13)
    ]
    assert statuses[:10] == [404] * 10 and statuses[10:] == [429, 429]
    # the page refuses the same address now, and the same code from any address
    assert Client().post("/book/", {"billing_code": code, "birth_date": "1990-05-17"}).status_code == 429
    assert (
        Client()
        .post("/book/", {"billing_code": code, "birth_date": "1990-05-17"}, REMOTE_ADDR="198.51.100.7")
        .status_code
        == 429
    )


def test_complaint_links_are_counted_and_locked(ref):
    opened = complaint_open(
        client="192.0.2.1", category="late", text="Paspor belum sampai.", contact_phone="081234567890"
    )
    ticket = opened.complaint.ticket
    client = Client()
    for _ in range(10):
        assert client.get(f"/complaints/t/{ticket}/{'0' * 32}/").status_code == 404
    page = client.get(f"/complaints/t/{ticket}/{opened.secret}/")
    assert page.status_code == 429 and "15" in page.content.decode()
    assert client.get(f"/complaints/t/{ticket}/{opened.secret}/photo/").status_code == 429
    assert APIClient().get(f"/api/v1/complaints/{ticket}/", {"secret": opened.secret}).status_code == 429


def test_a_complaint_tells_nothing_of_a_tracking_code_while_its_text_is_wrong_or_the_lock_holds(ref):
    order = make_order(ref, S.BOOKED)

    def file(code, text="x", address="192.0.2.10"):
        return (
            Client()
            .post(
                "/complaints/",
                {
                    "category": "late",
                    "text": text,
                    "contact_phone": "081234567890",
                    "tracking_code": code,
                },
                REMOTE_ADDR=address,
            )
            .content.decode()
        )

    unknown_message = "Tidak ada pengiriman dengan kode lacak ini"
    # a deliberately wrong text: the same answer for an existing and an unknown code
    assert unknown_message not in file(order.code) and unknown_message not in file("APNOSUCH01")
    for n in range(10):
        assert unknown_message in file(f"APNOSUCH{n:02d}", "Paspor saya belum sampai.")
    locked_known = file(order.code, "Paspor saya belum sampai.")
    locked_unknown = file("APNOSUCH99", "Paspor saya belum sampai.")
    assert "15" in locked_known and "15" in locked_unknown
    assert unknown_message not in locked_known + locked_unknown


def _deliver_body(code: str) -> dict:
    return {
        "receiver_kind": "applicant",
        "id_type": "ktp",
        "id_last_four": "0001",
        "code": code,
        "signature": "data:image/png;base64," + __import__("base64").b64encode(signature_png()).decode(),
    }


def test_delivery_codes_are_limited_per_order_on_the_server_and_the_dispatcher_unlocks(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY, courier="kurir")
    right = codes.delivery_code_reveal(order_id=order.pk)
    wrong = "000000" if right != "000000" else "111111"
    phone = courier_client(ref["couriers"]["kurir"].user)
    answers = [post(phone, order.code, "deliver", _deliver_body(wrong)) for _ in range(5)]
    assert [a.status_code for a in answers] == [400] * 5
    # the sixth try is refused even with the right code: the order needs the dispatcher
    locked = post(phone, order.code, "deliver", _deliver_body(right))
    assert locked.status_code == 409 and locked.json()["code"] == "code_locked"
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY
    attempts = list(DeliveryCodeAttempt.objects.filter(order=order).values_list("outcome", "failed_attempts"))
    assert attempts == [("wrong", n) for n in range(1, 6)] + [("refused_locked", 5)]
    assert Problem.objects.filter(order=order, kind=ProblemKind.CODE_LOCKED).count() == 1
    # a courier cannot unlock; the dispatcher can, on the order page
    assert APIClient().post(f"/api/v1/orders/{order.code}/code-unlock/").status_code in (401, 403)
    dispatcher = Client()
    dispatcher.force_login(ref["users"]["pos.antaran"])
    assert "Kode antar terkunci" in dispatcher.get(f"/orders/{order.code}/").content.decode()
    assert dispatcher.post(f"/orders/{order.code}/code-unlock/").status_code == 302
    assert DeliveryCode.objects.get(order=order).failed_attempts == 0
    assert DeliveryCodeAttempt.objects.filter(order=order).last().outcome == "unlocked"
    delivered = post(phone, order.code, "deliver", _deliver_body(right))
    assert delivered.status_code == 200, delivered.json()
    order.refresh_from_db()
    assert order.status == S.DELIVERED


def test_attempt_rows_cannot_be_changed():
    from django.core.exceptions import ValidationError

    row = DeliveryCodeAttempt(pk=1)
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()


def test_no_module_reads_the_client_address_but_the_one_function():
    """Every rate limit, lock and idempotency owner takes the address from core.middleware.client_ip."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    readers = [
        str(path.relative_to(root))
        for package in sorted(root.glob("*/__init__.py"))
        if package.parent.name != "tests"
        for path in package.parent.rglob("*.py")
        if "REMOTE_ADDR" in path.read_text(encoding="utf-8")
    ]
    assert readers == ["core/middleware.py"]


def test_the_sample_nginx_site_logs_no_query_strings_or_referrers():
    """Public lookups and secret links carry personal data in their query strings and paths' referrers."""
    import re
    from pathlib import Path

    conf = (Path(__file__).resolve().parents[2] / "deploy/nginx/antar-paspor.conf").read_text()
    formats = dict(re.findall(r"log_format\s+(\w+)\s+((?:'[^']*'\s*)+);", conf))
    logs = re.findall(r"^\s*access_log\s+(\S+)(?:\s+(\w+))?\s*;", conf, re.M)
    assert logs, "the site sets its own access log"
    for path, name in logs:
        if path == "off":
            continue
        assert name in formats, f"access_log {path} uses nginx's default format, which logs the query string"
        for variable in (
            "$request ",
            '$request"',
            "$request_uri",
            "$args",
            "$query_string",
            "$http_referer",
            "$arg_",
        ):
            assert variable not in formats[name], f"{name} logs {variable.strip()}"
