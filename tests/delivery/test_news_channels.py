"""The applicant chooses at booking how to hear of each step (SMS, WhatsApp, email; at least one), at
the counter and online; WhatsApp is their opt-in, recorded with when and how; the messages follow
the choice."""

import pytest
from django.test import Client

from core.exceptions import ValidationFailed
from delivery.booking.online import online_booking_pay, online_booking_settle
from delivery.booking.services import news_channels_check
from delivery.booking.views import _sign
from delivery.models import DeliveryOrder, Notification, OnlineBooking, WhatsAppOptIn
from delivery.notifications.services import delivery_event_notify
from tests.applicant.helpers import data_url, make_billed_application, signature_png
from tests.counter.test_grantee_nippos import make_paid_application

pytestmark = pytest.mark.django_db


def counter_post(client, ref, application, **extra):
    return client.post(
        f"/counter/applications/{application.pk}/book/",
        {
            "destination_kind": "home",
            "address": "Jl. Uji No. 9, Makassar",
            "area": ref["areas"]["maros"].pk,
            "recipient_phone": "081234567890",
            "poa_grantee_name": "Sri Wahyuni",
            "poa_grantee_nippos": "995100100",
            "poa_grantee_place": "Kantor Pos Maros",
            "poa_signed": "on",
            "fee_received": "on",
            **extra,
        },
    )


def test_the_counter_form_offers_the_channels_with_sms_and_email_ticked(ref):
    officer = ref["users"]["pos.layanan"]
    application = make_paid_application(ref)
    client = Client()
    client.force_login(officer)
    page = client.get(f"/counter/applications/{application.pk}/book/").content.decode()
    assert "Lewat apa kami kabari setiap langkahnya?" in page
    assert 'name="news_channels" value="sms"' in page and 'value="whatsapp"' in page
    form = client.get(f"/counter/applications/{application.pk}/book/").context["form"]
    assert form["news_channels"].value() == ["sms", "email"]


def test_whatsapp_chosen_at_the_counter_records_the_opt_in(ref, settings, tmp_path):
    settings.SMS_LOG_FILE = str(tmp_path / "sms.log")
    settings.WHATSAPP_LOG_FILE = str(tmp_path / "whatsapp.log")
    officer = ref["users"]["pos.layanan"]
    application = make_paid_application(ref)
    client = Client()
    client.force_login(officer)

    answer = counter_post(client, ref, application, news_channels=["whatsapp", "sms"])

    assert answer.status_code == 302
    order = DeliveryOrder.objects.get(application=application)
    assert (order.notify_by_sms, order.notify_by_whatsapp, order.notify_by_email) == (True, True, False)
    opt_in = WhatsAppOptIn.objects.get(applicant=application.applicant)
    assert (opt_in.phone, opt_in.method, opt_in.recorded_by) == ("081234567890", "counter", officer)
    # the booking's news goes by WhatsApp and SMS, not by mail
    event = order.events.get()
    delivery_event_notify(event_id=event.pk)
    statuses = dict(Notification.objects.filter(event=event).values_list("channel", "status"))
    assert statuses == {"email": "skipped", "sms": "sent", "whatsapp": "sent"}


@pytest.mark.parametrize(
    ("channels", "message"),
    [
        ([], "Pilih minimal satu cara menerima kabar: SMS, WhatsApp, atau email."),
        (["email"], "Isi alamat email untuk menerima kabar lewat email."),
        (["fax"], "Masukkan pilihan yang valid. fax bukan salah satu"),
    ],
)
def test_the_counter_refuses_no_channel_or_mail_without_an_address(ref, channels, message):
    client = Client()
    client.force_login(ref["users"]["pos.layanan"])
    application = make_paid_application(ref)
    application.applicant.email = ""
    application.applicant.save(update_fields=["email"])

    answer = counter_post(client, ref, application, news_channels=channels, recipient_email="")

    assert answer.status_code in (200, 400)
    assert message in answer.content.decode()
    assert not DeliveryOrder.objects.filter(application=application).exists()
    assert not WhatsAppOptIn.objects.exists()


def test_the_rule_is_one_service():
    with pytest.raises(ValidationFailed):
        news_channels_check([], email="a@example.test")
    with pytest.raises(ValidationFailed):
        news_channels_check(["email"], email=" ")
    assert news_channels_check(["whatsapp"], email="") == {"whatsapp"}


def test_online_booking_keeps_the_choice_and_the_moment_of_the_opt_in(ref):
    application = make_billed_application(ref)
    client = Client()
    url = f"/book/details/{_sign(application)}/"
    page = client.get(url).content.decode()
    assert 'id="news-channels"' in page

    answer = client.post(
        url,
        {
            "destination_kind": "home",
            "area": ref["areas"]["gowa"].pk,
            "address": "Jl. Sultan Hasanuddin No. 8, Makassar",
            "recipient_phone": "081355512345",
            "recipient_email": "daring@example.test",
            "news_channels": ["whatsapp"],
            "signature": data_url(signature_png()),
            "agree": "on",
        },
    )

    assert answer.status_code == 302, answer.content.decode()[:2000]
    booking = OnlineBooking.objects.get(application=application)
    assert booking.news_channels == "whatsapp" and booking.whatsapp_opt_in_at is not None
    online_booking_pay(token=booking.token)
    assert online_booking_settle(booking_id=booking.pk) == "booked"
    order = DeliveryOrder.objects.get(application=application)
    assert (order.notify_by_sms, order.notify_by_whatsapp, order.notify_by_email) == (False, True, False)
    opt_in = WhatsAppOptIn.objects.get(applicant=application.applicant)
    assert (opt_in.method, opt_in.phone, opt_in.opted_in_at) == (
        "online_booking",
        "081355512345",
        booking.whatsapp_opt_in_at,
    )


def test_online_booking_without_a_channel_is_refused(ref):
    application = make_billed_application(ref)
    answer = Client().post(
        f"/book/details/{_sign(application)}/",
        {
            "destination_kind": "home",
            "area": ref["areas"]["gowa"].pk,
            "address": "Jl. Sultan Hasanuddin No. 8, Makassar",
            "recipient_phone": "081355512345",
            "recipient_email": "daring@example.test",
            "signature": data_url(signature_png()),
            "agree": "on",
        },
    )
    assert answer.status_code == 400
    assert "Pilih minimal satu cara menerima kabar" in answer.content.decode()
    assert not OnlineBooking.objects.exists()


def test_the_counter_api_takes_the_choice_and_refuses_none(ref):
    import uuid

    client = Client()
    client.force_login(ref["users"]["pos.layanan"])
    application = make_paid_application(ref)

    def book(channels):
        return client.post(
            "/api/v1/counter/bookings/",
            {
                "application_id": application.pk,
                "destination_kind": "home",
                "address": "Jl. Uji No. 9, Makassar",
                "area": "makassar",
                "recipient_phone": "081234567890",
                "news_channels": channels,
                "poa_grantee_name": "Sri Wahyuni",
                "poa_grantee_nippos": "995100100",
                "poa_grantee_place": "PT Pos Indonesia Cabang Makassar",
                "fee_received": True,
            },
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )

    refused = book([])
    assert refused.status_code == 400 and "news_channels" in refused.json()["fields"]
    assert not DeliveryOrder.objects.filter(application=application).exists()

    assert book(["whatsapp"]).status_code == 201
    order = DeliveryOrder.objects.get(application=application)
    assert (order.notify_by_sms, order.notify_by_whatsapp, order.notify_by_email) == (False, True, False)
    assert WhatsAppOptIn.objects.get(applicant=application.applicant).method == "counter"


def test_the_counter_form_ticks_email_only_for_an_applicant_with_an_address(ref, client):
    from tests.counter.test_grantee_nippos import make_paid_application  # paid at the Pos counter

    client.force_login(ref["users"]["pos.layanan"])
    application = make_paid_application(ref)
    for email, ticked in (("", False), ("pemohon@example.id", True)):
        application.applicant.email = email
        application.applicant.save(update_fields=["email"])
        response = client.get(f"/counter/applications/{application.pk}/book/")
        assert response.status_code == 200, response
        page = response.content.decode()
        box = page[page.index('value="email"') - 120 : page.index('value="email"') + 60]
        assert ("checked" in box) is ticked, box
        sms = page[page.index('value="sms"') - 120 : page.index('value="sms"') + 60]
        assert "checked" in sms
