"""The Pos officer at the counter is the grantee of the power of attorney: the booking form names
them with their Nippos and place of duty (still editable), and the booking keeps what was sent."""

import pytest
from django.test import Client

from delivery.models import DeliveryOrder
from passports import services as passport_services
from passports.models import BillingCode
from tests.applicant.helpers import make_billed_application


def make_paid_application(ref):
    """Paid at the Pos counter, so the Pos service officer may book it."""
    application = make_billed_application(ref)
    billing = BillingCode.objects.get(application=application)
    passport_services.payment_request_open(billing_code=billing.code, actor=ref["users"]["pos.layanan"])
    passport_services.payment_confirm(
        billing_code_id=billing.pk, ntpn=f"NTPN{application.pk:012d}", amount=billing.amount
    )
    return application


pytestmark = pytest.mark.django_db


def test_the_booking_form_names_the_logged_in_pos_officer_with_their_nippos(ref):
    officer = ref["users"]["pos.layanan"]
    assert officer.nippos == "995100100"
    application = make_paid_application(ref)
    client = Client()
    client.force_login(officer)

    page = client.get(f"/counter/applications/{application.pk}/book/")

    assert page.status_code == 200
    form = page.context["form"]
    assert form["poa_grantee_name"].value() == officer.get_full_name()
    assert form["poa_grantee_nippos"].value() == "995100100"
    assert form["poa_grantee_place"].value() == ref["offices"]["pos"].name
    assert 'value="995100100"' in page.content.decode()

    answer = client.post(
        f"/counter/applications/{application.pk}/book/",
        {
            "destination_kind": "home",
            "address": "Jl. Uji No. 9, Makassar",
            "area": ref["areas"]["maros"].pk,
            "recipient_phone": "081234567890",
            "news_channels": ["sms"],
            "poa_grantee_name": form["poa_grantee_name"].value(),
            "poa_grantee_nippos": form["poa_grantee_nippos"].value(),
            "poa_grantee_place": form["poa_grantee_place"].value(),
            "poa_signed": "on",
            "fee_received": "on",
        },
    )

    assert answer.status_code == 302, (
        answer.context["form"].errors,
        [str(m) for m in answer.context["messages"]],
    )
    order = DeliveryOrder.objects.get(application=application)
    assert (order.poa_grantee_name, order.poa_grantee_nippos, order.poa_grantee_place) == (
        "Sri Wahyuni",
        "995100100",
        ref["offices"]["pos"].name,
    )


def test_the_prefilled_nippos_can_be_changed(ref):
    officer = ref["users"]["pos.layanan"]
    application = make_paid_application(ref)
    client = Client()
    client.force_login(officer)

    client.post(
        f"/counter/applications/{application.pk}/book/",
        {
            "destination_kind": "home",
            "address": "Jl. Uji No. 9, Makassar",
            "area": ref["areas"]["maros"].pk,
            "recipient_phone": "081234567890",
            "news_channels": ["sms"],
            "poa_grantee_name": "Sri Wahyuni",
            "poa_grantee_nippos": "995100777",
            "poa_grantee_place": "Kantor Pos Maros",
            "poa_signed": "on",
            "fee_received": "on",
        },
    )

    order = DeliveryOrder.objects.get(application=application)
    assert (order.poa_grantee_nippos, order.poa_grantee_place) == ("995100777", "Kantor Pos Maros")
