"""The personal link and the one-time code: an applicant without an account manages their delivery.

The link is bound to its order, expires, and is revoked with every other link of the order at once;
the one-time code goes only to the phone and mail on file, is limited in tries and time, and opens
"manage my delivery" for that one order in that one browser."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from core.exceptions import DomainError
from delivery.booking.windows import slot_value, windows_offered
from delivery.choices import DeliveryStatus as S
from delivery.manage import access, links
from delivery.models import DeliveryEvent, DeliveryOrder, ManageCode
from delivery.money.fees import delivery_fee_take
from ledger.services import delivery_money_of
from passports.models import Applicant
from tests.conftest import sms_for
from tests.factories import make_order


def without_account(order: DeliveryOrder) -> DeliveryOrder:
    """The order as if booked at the counter for an applicant who never made an account."""
    Applicant.objects.filter(pk=order.application.applicant_id).update(user=None)
    order.refresh_from_db()
    return order


def sent_code(order: DeliveryOrder) -> str:
    """The one-time code in the newest short message about the order."""
    row = ManageCode.objects.filter(order=order).order_by("-pk").first()
    access.manage_code_send(code_id=row.pk)
    texts = [sms["text"] for sms in sms_for(order.code) if sms["reference"] == f"manage-code-{row.pk}"]
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


# The link itself


def test_a_link_opens_its_order_and_nothing_else(ref):
    order = make_order(ref, S.BOOKED)
    other = make_order(ref, S.BOOKED)
    token = links.link_token(order)
    assert links.link_order(token).pk == order.pk
    # 5 characters of time until 2084, 12 of signature: as long as the SMS test's longest link
    assert len(links.link_url(order)) <= len(settings.PUBLIC_BASE_URL.rstrip("/")) + len(
        "/m/APWWWWWWWW.zzzzz.AAAAAAAAAAAA/"
    )

    code, made, signature = token.split(".")
    for altered in (
        f"{other.code}.{made}.{signature}",  # another order's code with this signature
        f"{code}.{made[:-1]}{'1' if made[-1] != '1' else '2'}.{signature}",
        f"{code}.{made}.{signature[:-1]}A" if signature[-1] != "A" else f"{code}.{made}.{signature[:-1]}B",
        "",
        "....",
        "AP123",
        "é.é.é",
        f"{code}.{'z' * 40}.{signature}",
    ):
        with pytest.raises(links.LinkInvalid):
            links.link_order(altered)


def test_a_link_expires_and_every_link_of_an_order_can_be_revoked(ref):
    order = make_order(ref, S.BOOKED)
    old = links.link_token(order, now=timezone.now().timestamp() - settings.MANAGE_LINK_SECONDS - 5)
    with pytest.raises(links.LinkExpired):
        links.link_order(old)

    token = links.link_token(order)
    links.links_revoke(order_id=order.pk)
    with pytest.raises(links.LinkInvalid):
        links.link_order(token)
    order.refresh_from_db()
    assert links.link_order(links.link_token(order)).pk == order.pk  # a new link works


# The one-time code


def test_the_code_goes_to_the_phone_on_file_and_opens_once(ref):
    order = make_order(ref, S.BOOKED)
    sent = access.manage_code_request(order=order)
    assert sent.to_phone.endswith(order.recipient_phone[-3:]) and order.recipient_phone not in sent.to_phone
    digits = sent_code(order)
    row = ManageCode.objects.get(pk=sent.code_id)
    assert row.code_encrypted == "" and digits not in row.digest  # only its keyed hash is kept

    assert access.manage_code_verify(code_id=sent.code_id, digits=digits, client="1.2.3.4").pk == order.pk
    with pytest.raises(DomainError) as used:
        access.manage_code_verify(code_id=sent.code_id, digits=digits, client="1.2.3.4")
    assert used.value.code == "code_used"


def test_wrong_codes_spend_the_code_and_an_old_code_expires(ref):
    order = make_order(ref, S.BOOKED)
    sent = access.manage_code_request(order=order)
    digits = sent_code(order)
    wrong = f"{(int(digits) + 1) % 10**6:06d}"
    for left in range(settings.MANAGE_CODE_MAX_ATTEMPTS - 1, 0, -1):
        with pytest.raises(DomainError) as refused:
            access.manage_code_verify(code_id=sent.code_id, digits=wrong, client=f"10.0.0.{left}")
        assert f": {left}." in str(refused.value.message) or str(left) in str(refused.value.message)
    with pytest.raises(DomainError):
        access.manage_code_verify(code_id=sent.code_id, digits=wrong, client="10.0.0.9")
    # the right code no longer opens anything
    with pytest.raises(DomainError) as spent:
        access.manage_code_verify(code_id=sent.code_id, digits=digits, client="10.0.0.10")
    assert spent.value.code == "code_spent"

    later = timezone.now() + dt.timedelta(minutes=2)
    fresh = access.manage_code_request(order=order, now=later)
    fresh_digits = sent_code(order)
    with pytest.raises(DomainError) as expired:
        access.manage_code_verify(
            code_id=fresh.code_id,
            digits=fresh_digits,
            client="10.0.0.11",
            now=later + dt.timedelta(seconds=settings.MANAGE_CODE_SECONDS + 1),
        )
    assert expired.value.code == "code_expired"


def test_asking_again_within_a_minute_keeps_the_code_and_an_hour_allows_five(ref):
    order = make_order(ref, S.BOOKED)
    now = timezone.now()
    first = access.manage_code_request(order=order, now=now)
    assert (
        access.manage_code_request(order=order, now=now + dt.timedelta(seconds=30)).code_id == first.code_id
    )
    for minute in range(1, settings.MANAGE_CODES_PER_HOUR):
        access.manage_code_request(order=order, now=now + dt.timedelta(minutes=minute * 2))
    with pytest.raises(DomainError) as refused:
        access.manage_code_request(order=order, now=now + dt.timedelta(minutes=20))
    assert refused.value.status_code == 429
    assert ManageCode.objects.filter(order=order).count() == settings.MANAGE_CODES_PER_HOUR


# The pages, as an applicant without an account


def _open_manage(client, order: DeliveryOrder):
    token = links.link_token(order)
    landing = client.get(f"/m/{token}/")
    assert landing.status_code == 200
    assert order.code in landing.content.decode()
    response = client.post(f"/m/{token}/code/")
    assert response.status_code == 302 and response["Location"] == "/manage/verify/"
    page = client.get("/manage/verify/").content.decode()
    assert order.recipient_phone not in page  # masked
    response = client.post("/manage/verify/", {"code": sent_code(order)})
    assert response.status_code == 302 and response["Location"] == f"/manage/{order.code}/"
    return token


@override_settings(LANGUAGE_CODE="en")
def test_without_the_code_no_manage_page_opens(ref, client):
    order = without_account(make_order(ref, S.BOOKED))
    for path in ("", "day/", "address/", "cancel/", "data.json", "proof/signature/", "account/"):
        response = client.get(f"/manage/{order.code}/{path}")
        assert response.status_code == 302, path
        assert response["Location"] == f"/track/?code={order.code}"
    response = client.post(f"/manage/{order.code}/cancel/", {"confirm": "on"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == S.BOOKED
    # a wrong code in the link: a clear page, and it counts on the lookup lock
    response = client.get(f"/m/{order.code}.abc.{'A' * 16}/")
    assert response.status_code == 404 and "not valid" in response.content.decode()


@override_settings(LANGUAGE_CODE="en")
def test_an_applicant_without_account_changes_the_day_the_address_and_cancels(ref, client):
    order = without_account(make_order(ref, S.BOOKED, area="makassar"))
    delivery_fee_take(
        order=order,
        amount=order.delivery_fee,
        receipt_number="PB-MANAGE-1",
        actor=ref["users"]["pos.layanan"],
        channel="pos_counter",
    )
    _open_manage(client, order)
    home = client.get(f"/manage/{order.code}/").content.decode()
    assert order.address in home and "Cancel the delivery" in home, home[home.find("<main") :]

    # another day and window, from those offered
    offer = windows_offered(order.area)[1]
    window = offer.windows[0].window
    response = client.post(f"/manage/{order.code}/day/", {"delivery_slot": slot_value(offer.day, window)})
    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert (order.delivery_date, order.delivery_window_id) == (offer.day, window.pk)

    # another address in the same area, confirmed after the fee is shown
    new = {
        "destination_kind": "office",
        "area": order.area_id,
        "address": "Jl. Urip Sumoharjo No. 7, Makassar",
    }
    quote = client.post(f"/manage/{order.code}/address/", new)
    assert "fee stays the same" in quote.content.decode()
    done = client.post(
        f"/manage/{order.code}/address/", {**new, "confirm": "yes", "expected_fee": order.delivery_fee}
    )
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.address == new["address"]

    # cancel: the refund rule first, then the move, with the refund on its event
    page = client.get(f"/manage/{order.code}/cancel/").content.decode()
    assert "refunded in full" in page and "You get Rp 20.000 back, at the Pos counter" in page
    refused = client.post(f"/manage/{order.code}/cancel/", {"reason": "plans changed"})
    assert refused.status_code == 400  # the box not ticked: nothing happens
    order.refresh_from_db()
    assert order.status == S.BOOKED
    client.post(f"/manage/{order.code}/cancel/", {"reason": "plans changed", "confirm": "on"})
    order.refresh_from_db()
    assert order.status == S.CANCELLED
    event = DeliveryEvent.objects.filter(order=order, to_status=S.CANCELLED).get()
    applicant = Applicant.objects.select_related("user").get(pk=order.application.applicant_id)
    assert event.actor == applicant.user and event.actor_role == "applicant"
    assert event.payload["refund"] == order.fee_payment.amount
    # and the refund is in the ledger, so the delivery money of the order is back to nothing
    assert delivery_money_of(order.pk) == 0
    assert not applicant.user.has_usable_password()  # no account was made for the applicant


def test_revoking_the_links_ends_the_session_and_the_data_is_the_applicants(ref, client):
    order = without_account(make_order(ref, S.BOOKED))
    token = _open_manage(client, order)
    data = client.get(f"/manage/{order.code}/data.json")
    assert data.status_code == 200 and order.code in data.content.decode()
    client.post(f"/manage/{order.code}/revoke/")
    assert client.get(f"/manage/{order.code}/").status_code == 302
    assert client.get(f"/m/{token}/").status_code == 404


@override_settings(LANGUAGE_CODE="en")
def test_a_tracking_result_offers_the_code(ref, client):
    order = without_account(make_order(ref, S.PASSPORT_READY))
    found = client.post("/track/", {"code": order.code, "birth_date": "1990-05-17"})
    assert found.status_code == 303
    result = found["Location"]
    assert "Send me a one-time code" in client.get(result).content.decode()
    response = client.post(f"{result}manage/")
    assert response.status_code == 302 and response["Location"] == "/manage/verify/"
    assert client.post("/manage/verify/", {"code": sent_code(order)})["Location"] == f"/manage/{order.code}/"


@override_settings(LANGUAGE_CODE="en")
def test_once_the_courier_left_nothing_can_be_changed(ref, client):
    order = without_account(make_order(ref, S.OUT_FOR_DELIVERY))
    _open_manage(client, order)
    home = client.get(f"/manage/{order.code}/").content.decode()
    assert "can no longer be changed" in home
    assert 'id="delivery-qr"' in home  # the signed QR code for the courier
    response = client.post(f"/manage/{order.code}/cancel/", {"confirm": "on"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY


def test_the_applicant_may_make_an_account(ref, client):
    order = without_account(make_order(ref, S.BOOKED))
    _open_manage(client, order)
    weak = client.post(f"/manage/{order.code}/account/", {"username": "pemohon.baru", "password": "123"})
    assert weak.status_code == 400
    done = client.post(
        f"/manage/{order.code}/account/", {"username": "pemohon.baru", "password": "Paspor-Antar-2026!"}
    )
    assert done.status_code == 302
    applicant = Applicant.objects.select_related("user").get(pk=order.application.applicant_id)
    assert applicant.user.username == "pemohon.baru" and applicant.user.check_password("Paspor-Antar-2026!")


@override_settings(LANGUAGE_CODE="en")
def test_an_expired_link_offers_a_new_one_by_sms_once_in_ten_minutes(ref, client):
    order = without_account(make_order(ref, S.BOOKED))
    old = links.link_token(order, now=timezone.now().timestamp() - settings.MANAGE_LINK_SECONDS - 60)
    page = client.get(f"/m/{old}/")
    assert page.status_code == 410 and "Send me a new link" in page.content.decode()
    assert client.post(f"/m/{old}/new/").status_code == 302
    assert access.link_resend(order=order) is False  # asked again within ten minutes: nothing more
    assert access.link_send(order_id=order.pk, minute=1) == "sent"
    texts = [sms["text"] for sms in sms_for(order.code) if sms["reference"] == f"manage-link-{order.pk}-1"]
    assert len(texts) == 1 and len(texts[0]) <= 160
    token = re.search(r"/m/([^/]+)/", texts[0]).group(1)
    assert links.link_order(token).pk == order.pk
