"""Imigrasi's one-door desk books delivery with the Pos office serving it; when no Pos office serves
the office (yet), the booking is refused with a message instead of failing."""

import pytest
from rest_framework.test import APIClient

from delivery.models import DeliveryFeePayment, DeliveryOrder
from organisations.models import Office
from tests.factories import make_paid_application

pytestmark = pytest.mark.django_db


def test_a_booking_at_an_office_no_pos_office_serves_is_refused(ref):
    imigrasi = ref["users"]["imigrasi"]
    application = make_paid_application(ref)
    Office.objects.filter(serves=ref["offices"]["imigrasi"]).update(serves=None)
    client = APIClient()
    client.force_login(imigrasi)

    answer = client.post(
        "/api/v1/counter/bookings/",
        {
            "application_id": application.pk,
            "destination_kind": "home",
            "address": "Jl. Uji No. 1, Makassar",
            "area": "maros",
            "recipient_phone": "081234567890",
            "poa_grantee_name": "Sri Wahyuni",
            "poa_grantee_nippos": "995100100",
            "poa_grantee_place": "PT Pos Indonesia Cabang Makassar",
            "fee_received": True,
        },
        format="json",
    )

    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == "validation_failed"
    assert not DeliveryOrder.objects.filter(application=application).exists()
    assert not DeliveryFeePayment.objects.exists()
