"""The billing-code slip invites the applicant to book delivery: the QR code to /book/ with the
billing code filled in, the delivery fee of the areas, the trips saved; /book/ takes the code."""

import html
import re

import pytest
import segno
from django.conf import settings

from delivery.booking.invitation import booking_link
from delivery.models import Area
from tests.counter.test_counter_api import APPLICATION, client_for
from tests.counter.test_payments import book, paid_application, register

pytestmark = pytest.mark.django_db


def _qr_payload_matches(data_uri: str, payload: str) -> bool:
    """Whether the QR image of the page encodes ``payload``: the same symbol segno draws for it (no
    QR decoder is installed; segno is deterministic for one payload and one error level)."""
    return data_uri == segno.make(payload, error="m").svg_data_uri(scale=4, border=2)


def test_the_slip_invites_the_applicant_to_book_delivery(client, ref):
    billing = register(ref)
    client.force_login(ref["users"]["imigrasi"])
    page = client.get(f"/counter/applications/{billing.application_id}/").content.decode()

    link = f"{settings.PUBLIC_BASE_URL.rstrip('/')}/book/?kode={billing.code}"
    assert 'id="delivery-invitation"' in page
    assert "Tidak perlu datang lagi untuk mengambil paspor" in page  # the trips saved, in Indonesian
    assert "No second trip to the office to collect your passport" in page  # and in English
    assert f'<span class="code" id="booking-link">{link}</span>' in page
    qr = html.unescape(re.search(r'id="booking-qr" src="([^"]+)"', page).group(1))
    assert _qr_payload_matches(qr, link)
    assert "1991" not in link and "1990-01-02" not in page.split('id="delivery-invitation"')[1]
    # the area is not known at the counter: every area with its fee
    fees = re.findall(r'<tr><th scope="row">([^<]+)</th><td>Rp ([\d.]+)</td></tr>', page)
    expected = [(a.name, f"{a.delivery_fee:,}".replace(",", ".")) for a in Area.objects.order_by("name")]
    assert fees == expected and len(fees) >= 2


def test_the_invitation_leaves_the_slip_once_delivery_is_booked(client, ref):
    application = paid_application(ref)
    client.force_login(ref["users"]["pos.layanan"])
    assert (
        'id="delivery-invitation"' in client.get(f"/counter/applications/{application.pk}/").content.decode()
    )
    book(ref, application)
    page = client.get(f"/counter/applications/{application.pk}/").content.decode()
    assert 'id="delivery-invitation"' not in page and "/book/?kode=" not in page


def test_the_api_answer_carries_the_same_invitation(ref):
    issued = client_for(ref["users"]["imigrasi"]).post(
        "/api/v1/counter/applications/", APPLICATION, format="json"
    )
    assert issued.status_code == 201
    invitation = issued.json()["delivery_invitation"]
    assert invitation["booking_url"] == booking_link(billing_code=issued.json()["code"])
    assert invitation["booking_url"].endswith(f"/book/?kode={issued.json()['code']}")
    assert [f["name"] for f in invitation["fees"]] == list(
        Area.objects.order_by("name").values_list("name", flat=True)
    )


def test_the_booking_page_fills_in_the_billing_code_of_the_link(client, ref):
    billing = register(ref)
    page = client.get("/book/", {"kode": billing.code}).content.decode()
    assert f'value="{billing.code}"' in page
    assert 'name="birth_date"' in page and 'name="birth_date" value' not in page  # asked, never in the link
    # something that is not a billing code is not put in the form
    for bad in ("12345", "abc<script>", "1" * 16):
        assert 'name="billing_code" value' not in client.get("/book/", {"kode": bad}).content.decode()
    # and the code from the link with the date of birth typed leads on to the details
    answer = client.post(
        f"/book/?kode={billing.code}", {"billing_code": billing.code, "birth_date": "1990-01-02"}
    )
    assert answer.status_code == 302 and "/book/details/" in answer.url
