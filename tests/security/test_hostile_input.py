"""Input that must not reach a 500 (issue 17, defects 4 and 5).

Probes found server errors on anonymous input: secrets with non-ASCII characters and full-width
digits reached ``hmac.compare_digest`` (TypeError), a 100-byte PNG claiming 20000 x 10000 pixels
reached Pillow's decompression-bomb error, and a bare ``int()`` met ``expected_fee=abc``. Each door
is driven here as the probe did, through the test client, and must answer 4xx and write nothing.
"""

from __future__ import annotations

import base64
import re
import struct
import uuid
import zlib
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from complaints import services as complaint_services
from complaints.models import Complaint, ComplaintMessage
from delivery.booking.views import _sign
from delivery.choices import DeliveryStatus as S
from delivery.courier import proof
from delivery.handoff import codes
from delivery.models import AddressChange, DeliveryCode, DeliveryCodeAttempt, OnlineBooking, ProofOfDelivery
from tests.applicant.helpers import BORN, data_url, make_billed_application, signature_png
from tests.complaints.helpers import png_bytes
from tests.courier.helpers import image_data_url
from tests.factories import make_applicant_user, make_order

pytestmark = pytest.mark.django_db

FUZZ = hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def full_width(digits: str) -> str:
    return digits.translate(FULL_WIDTH)


def png_claiming(width: int, height: int) -> bytes:
    """A valid, tiny PNG (under 100 bytes) whose header claims ``width`` x ``height`` pixels: what a
    decompression bomb looks like until something decodes it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


BOMB = png_claiming(20000, 10000)  # past twice Pillow's own limit: DecompressionBombError
HUGE = png_claiming(12000, 12000)  # past Pillow's limit only once: a warning, then accepted
# Each image door is tried with both: before the fix the first was a 500, the second got through
# wherever a signature's side was not checked.
PNGS = {"bomb": BOMB, "huge": HUGE}
assert len(BOMB) < 100 and len(HUGE) < 100


def assert_api_refusal(response, status: int = 400, field: str | None = None) -> dict:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body["code"] and body["message"], body
    if field:
        assert field in body["fields"], body
    return body


# Secrets with non-ASCII characters: the complainant's link and the complaints API.


@pytest.fixture
def complaint(ref):
    return complaint_services.complaint_open(
        client="192.0.2.9",
        category="late",
        text="Paspor saya belum sampai.",
        contact_email="a@example.test",
        photo=png_bytes(),
    )


@pytest.mark.parametrize("tail", ["", "photo/"])
@pytest.mark.parametrize("secret", ["%C3%A9", "%EF%BC%91" * 4, "%C3%A9" * 16])
def test_a_complaint_link_with_a_non_ascii_secret_is_not_found(complaint, secret, tail):
    ticket = complaint.complaint.ticket
    response = Client().get(f"/complaints/t/{ticket}/{secret}/{tail}")
    assert response.status_code == 404
    # the right link still opens it
    assert Client().get(f"/complaints/t/{ticket}/{complaint.secret}/{tail}").status_code == 200


def test_the_complaints_api_refuses_a_non_ascii_secret_with_the_error_shape(complaint):
    ticket = complaint.complaint.ticket
    response = APIClient().get(f"/api/v1/complaints/{ticket}/?secret=%C3%A9")
    assert response.status_code in (400, 404)
    assert_api_refusal(response, response.status_code)


def test_a_reply_with_a_non_ascii_secret_is_refused_and_writes_nothing(complaint):
    ticket = complaint.complaint.ticket
    before = ComplaintMessage.objects.count()
    response = APIClient().post(
        f"/api/v1/complaints/{ticket}/replies/",
        {"text": "Halo, bagaimana kabarnya?", "secret": "é" * 32},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code in (400, 404)
    assert_api_refusal(response, response.status_code)
    assert ComplaintMessage.objects.count() == before


# Full-width digits: the NIK digits of tracking, the delivery code, a stand-in's ID digits.


def test_tracking_page_refuses_full_width_nik_digits_with_a_form_error(ref):
    order = make_order(ref, S.BOOKED)
    digits = full_width(order.application.applicant.nik[-4:])
    response = Client().post(
        "/track/", {"code": order.code, "nik_last4": digits}, follow=True
    )  # pages speak Indonesian
    assert response.status_code == 400
    assert "Ketik angka 0 sampai 9 dengan papan ketik biasa" in response.content.decode()


def test_tracking_api_refuses_full_width_nik_digits_with_the_error_shape(ref):
    order = make_order(ref, S.BOOKED)
    digits = full_width(order.application.applicant.nik[-4:])
    response = APIClient().post("/api/v1/track/", {"code": order.code, "nik_last4": digits}, format="json")
    assert_api_refusal(response, 400, "nik_last4")


def courier_deliver(order, body: dict):
    client = APIClient()
    client.force_authenticate(order.courier.user)
    return client.post(
        f"/api/v1/courier/orders/{order.code}/deliver/",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )


def assert_not_delivered(order) -> None:
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY
    assert not ProofOfDelivery.objects.filter(order=order).exists()
    assert not order.events.filter(to_status=S.DELIVERED).exists()


def test_a_courier_delivering_with_a_full_width_code_is_refused_and_nothing_is_written(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    code = codes.delivery_code_reveal(order_id=order.pk)
    response = courier_deliver(
        order,
        {
            "receiver_kind": "applicant",
            "id_type": "ktp",
            "id_last_four": "0001",
            "code": full_width(code),
            "signature": image_data_url(),
        },
    )
    assert_api_refusal(response, 400, "code")
    assert_not_delivered(order)
    assert DeliveryCode.objects.get(order=order).used_at is None


def test_full_width_digits_are_not_the_last_four_of_an_id(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    response = courier_deliver(
        order,
        {
            "receiver_kind": "stand_in",
            "code": codes.delivery_code_reveal(order_id=order.pk),
            "id_type": "ktp",
            "id_last_four": full_width("4321"),
            "stand_in_name": "Rina Marlina",
            "stand_in_relation": "Kakak",
            "authorisation_photo": image_data_url("JPEG"),
            "signature": image_data_url(),
        },
    )
    assert_api_refusal(response, 400, "id_last_four")
    assert_not_delivered(order)


def test_the_services_compare_any_secret_without_an_error(ref, complaint):
    """Behind the doors too: a service called with full-width digits or non-ASCII text refuses it
    like any wrong value (for the code: counted as a wrong code)."""
    from core.exceptions import NotFound, ValidationFailed

    order = make_order(ref, S.OUT_FOR_DELIVERY)
    nik = order.application.applicant.nik
    from delivery.tracking import services as tracking

    assert tracking.tracking_lookup(code=order.code, nik_last4=full_width(nik[-4:])) is None
    assert tracking.tracking_find(code=order.code, nik_last4=full_width(nik[-4:])) is None
    with pytest.raises(NotFound):
        complaint_services.complaint_by_secret(
            ticket=complaint.complaint.ticket, secret="é" * 32, client="192.0.2.9"
        )
    code = codes.delivery_code_reveal(order_id=order.pk)
    with pytest.raises(ValidationFailed) as refused:
        proof.delivery_order_deliver_with_proof(
            order_code=order.code,
            actor=order.courier.user,
            receiver_kind="applicant",
            id_type="ktp",
            id_last_four="0001",
            code=full_width(code),
            signature=image_data_url(),
        )
    assert refused.value.code == "wrong_code"
    with pytest.raises(ValidationFailed) as refused:
        proof.delivery_order_deliver_with_proof(
            order_code=order.code,
            actor=order.courier.user,
            receiver_kind="stand_in",
            id_type="ktp",
            id_last_four="²³⁴⁵",
            stand_in=proof.StandIn(name="Rina", relation="Kakak", authorisation_photo=image_data_url("JPEG")),
            signature=image_data_url(),
        )
    assert "id_last_four" in refused.value.fields
    assert DeliveryCodeAttempt.objects.filter(order=order).count() == 1
    assert_not_delivered(order)


# Arbitrary Unicode into every secret and digits field: a refusal, never a server error.


@pytest.fixture
def tracked_order(ref):
    return make_order(ref, S.BOOKED)


hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=8),
    st.text(alphabet=st.characters(min_codepoint=0x80, codec="utf-8"), min_size=1, max_size=40),
)


@FUZZ
@given(nik=hostile_text)
@example(nik="１２３４")
@example(nik="²³⁴⁵")
@example(nik="١٢٣٤")
@example(nik="12\x0034")
def test_tracking_doors_never_answer_500_to_any_nik_digits(tracked_order, nik):
    cache.clear()  # the lookup lock would answer 429 before the comparison
    order = tracked_order
    page = Client().post("/track/", {"code": order.code, "nik_last4": nik}, follow=True)
    assert page.status_code in (200, 400, 404, 429)
    api = APIClient().post("/api/v1/track/", {"code": order.code, "nik_last4": nik}, format="json")
    assert api.status_code in (200, 400, 404, 429)
    assert api.json()


@FUZZ
@given(secret=hostile_text)
@example(secret="é")
@example(secret="１２３４")
def test_complaint_doors_never_answer_500_to_any_secret(complaint, secret):
    cache.clear()
    ticket = complaint.complaint.ticket
    link = Client().get(f"/complaints/t/{ticket}/{quote(secret, safe='')}/")
    assert link.status_code in (200, 404, 429)
    api = APIClient().get(f"/api/v1/complaints/{ticket}/", {"secret": secret})
    assert api.status_code in (200, 400, 404, 429) and api.json()
    reply = APIClient().post(
        f"/api/v1/complaints/{ticket}/replies/",
        {"text": "Masih menunggu.", "secret": secret},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert reply.status_code in (201, 400, 404, 429) and reply.json()


@FUZZ
@given(value=hostile_text)
@example(value="１２３４")
@example(value="²³⁴⁵")
def test_the_ascii_fields_clean_only_ascii_digits_and_refuse_the_rest_with_a_message(value):
    from django import forms
    from rest_framework import serializers

    from core.fields import (
        AsciiDigitsField,
        AsciiDigitsSerializerField,
        SecretSerializerField,
        secret_equals,
    )

    try:
        cleaned = AsciiDigitsField(digits=4).clean(value)
    except forms.ValidationError as error:
        assert error.messages
    else:
        assert len(cleaned) == 4 and cleaned.isascii() and cleaned.isdigit()
    try:
        cleaned = AsciiDigitsSerializerField(digits=4).run_validation(value)
    except serializers.ValidationError as error:
        assert error.detail
    else:
        assert len(cleaned) == 4 and cleaned.isascii() and cleaned.isdigit()
    try:
        cleaned = SecretSerializerField(max_length=64).run_validation(value)
    except serializers.ValidationError as error:
        assert error.detail
    else:
        assert cleaned.isascii() and cleaned.isprintable()
    assert secret_equals(value, value) and not secret_equals(value, value + "0")
    assert secret_equals(value, None) is (value == "")


# Decompression bombs: a tiny PNG claiming a huge size, at every door that takes an image.


def booking_body(application, **overrides):
    body = {
        "billing_code": application.billing_code.code,
        "birth_date": BORN.isoformat(),
        "destination_kind": "home",
        "address": "Jl. Sultan Hasanuddin No. 8, Makassar",
        "area": "gowa",
        "recipient_phone": "081355512345",
        "recipient_email": "daring@example.test",
        "signature": data_url(signature_png()),
    }
    body.update(overrides)
    return body


def test_the_booking_api_refuses_a_bomb_as_the_signature(ref):
    application = make_billed_application(ref)
    for png in PNGS.values():
        response = APIClient().post(
            "/api/v1/bookings/",
            booking_body(application, signature=data_url(png)),
            format="json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )
        assert_api_refusal(response, 400, "signature")
        assert not OnlineBooking.objects.exists()


def test_the_booking_page_refuses_a_bomb_as_the_signature(ref):
    application = make_billed_application(ref)
    for png in PNGS.values():
        response = Client().post(
            f"/book/details/{_sign(application)}/",
            {
                "destination_kind": "home",
                "area": ref["areas"]["gowa"].pk,
                "address": "Jl. Sultan Hasanuddin No. 8, Makassar",
                "recipient_phone": "081355512345",
                "recipient_email": "daring@example.test",
                "news_channels": ["sms", "email"],
                "signature": data_url(png),
                "agree": "on",
            },
        )
        assert response.status_code == 400
        assert not OnlineBooking.objects.exists()


@pytest.mark.parametrize("png", PNGS.values(), ids=PNGS.keys())
@pytest.mark.parametrize("field", ["signature", "photo"])
def test_the_courier_app_refuses_a_bomb_as_signature_or_photo(ref, field, png):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    body = {
        "receiver_kind": "applicant",
        "id_type": "ktp",
        "id_last_four": "0001",
        "code": codes.delivery_code_reveal(order_id=order.pk),
        "signature": image_data_url(),
        field: data_url(png),
    }
    response = courier_deliver(order, body)
    assert_api_refusal(response, 400, field)
    assert (
        "pixel" in response.json()["fields"][field][0].lower()
        or "piksel" in response.json()["fields"][field][0]
    )
    assert_not_delivered(order)
    assert DeliveryCode.objects.get(order=order).used_at is None


def test_the_complaints_api_refuses_a_bomb_as_the_photo(ref):
    for png in PNGS.values():
        response = APIClient().post(
            "/api/v1/complaints/",
            {
                "category": "late",
                "text": "Paspor belum sampai.",
                "contact_email": "a@example.test",
                "photo": "data:image/png;base64," + base64.b64encode(png).decode(),
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )
        assert_api_refusal(response, 400, "photo")
        assert not Complaint.objects.exists()


@pytest.mark.parametrize("png", PNGS.values(), ids=PNGS.keys())
def test_the_complaint_page_refuses_a_bomb_as_the_photo(ref, png):
    response = Client().post(
        "/complaints/",
        {
            "category": "late",
            "text": "Paspor belum sampai.",
            "contact_email": "a@example.test",
            "photo": SimpleUploadedFile("foto.png", png, content_type="image/png"),
        },
    )
    assert response.status_code < 500
    assert "Paling banyak 50 megapiksel." in response.content.decode()
    assert not Complaint.objects.exists()


def test_every_image_door_still_takes_a_real_image(ref):
    """The pixel limits leave room for what people really send."""
    from core.images import image_decode

    checked = image_decode(
        png_claiming(8000, 6000),
        field="photo",
        label="The photo",
        max_pixels=django_settings.PHOTO_MAX_PIXELS,
        formats=("PNG",),
    )
    assert (checked.format, checked.width, checked.height) == ("PNG", 8000, 6000)
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    response = courier_deliver(
        order,
        {
            "receiver_kind": "applicant",
            "id_type": "ktp",
            "id_last_four": "0001",
            "code": codes.delivery_code_reveal(order_id=order.pk),
            "signature": image_data_url(size=(1600, 150)),
            "photo": image_data_url("JPEG", (1280, 960)),
        },
    )
    assert response.status_code == 200, response.json()


# Numbers from forms.


def test_an_address_change_with_a_fee_that_is_not_a_number_is_refused_and_nothing_changes(ref):
    owner = make_applicant_user()
    order = make_order(ref, S.BOOKED, owner=owner)
    client = Client()
    client.force_login(owner)
    response = client.post(
        f"/orders/{order.code}/address/",
        {
            "destination_kind": "office",
            "area": ref["areas"]["gowa"].pk,
            "address": "Kantor Camat Somba Opu, Gowa",
            "confirm": "yes",
            "expected_fee": "abc",
        },
    )
    assert response.status_code == 400
    assert not AddressChange.objects.filter(order=order).exists()
    order.refresh_from_db()
    assert order.area == ref["areas"]["makassar"]


def test_order_ids_and_courier_ids_that_only_look_like_digits_are_ignored(ref):
    """``"²".isdigit()`` is true but ``int("²")`` fails: the counters' ticked lists must not 500."""
    order = make_order(ref, S.BOOKED)
    client = Client()
    client.force_login(ref["users"]["pos.layanan"])
    response = client.post("/counter/manifests/new/", {"orders": ["²", "１"], "confirm": "on"})
    assert response.status_code < 500
    order.refresh_from_db()
    assert order.status == S.BOOKED


@pytest.mark.parametrize("form, name", [("done", "item"), ("obligation", "obligation")])
def test_a_partnership_row_id_that_is_not_a_number_is_a_404(ref, client, form, name):
    from demo.partnership import partnership_demo_load
    from partners.models import ActionItem, Agreement, EvaluationMeeting, Obligation

    partnership_demo_load()
    client.force_login(ref["users"]["manajer.pos"])
    page = (
        f"/partners/evaluations/{EvaluationMeeting.objects.first().pk}/"
        if form == "done"
        else f"/partners/agreements/{Agreement.objects.get().pk}/"
    )
    before = (
        list(ActionItem.objects.values_list("status", flat=True)),
        list(Obligation.objects.values_list("status", flat=True)),
    )
    for value in ("abc", "²", "", "-1"):
        response = client.post(page, {"form": form, name: value, "status": "met", "note": ""})
        assert response.status_code == 404, value
    assert before == (
        list(ActionItem.objects.values_list("status", flat=True)),
        list(Obligation.objects.values_list("status", flat=True)),
    )


# Body size: one limit, from the largest legitimate body.


def test_the_body_limit_fits_the_largest_legitimate_body_and_the_readme_says_it():
    from pathlib import Path

    limit = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    as_base64 = lambda size: 4 * -(-size // 3) + len("data:image/jpeg;base64,")  # noqa: E731
    # a complaint filed over the API with the largest photo and 4000 characters, each escaped as two \uXXXX
    assert limit >= as_base64(django_settings.COMPLAINT_PHOTO_MAX_BYTES) + 4000 * 12 + 1024
    # the courier's update: photo and signature as data URLs
    assert (
        limit
        >= as_base64(django_settings.COURIER_PHOTO_MAX_BYTES)
        + as_base64(django_settings.COURIER_SIGNATURE_MAX_BYTES)
        + 1024
    )
    assert django_settings.UPLOAD_MAX_BYTES >= 10 * 1024 * 1024 + 64 * 1024  # an agreement's PDF
    root = Path(__file__).resolve().parents[2]
    production = (root / "portal/settings/production.py").read_text()
    assert not re.search(r"^(DATA_UPLOAD_MAX_MEMORY_SIZE|UPLOAD_MAX_BYTES)\s*=", production, re.MULTILINE)
    readme = (root / "README.md").read_text()
    assert f"over {limit // (1024 * 1024)} MB" in readme
