"""Every short message the portal sends is one GSM-7 part (160 septets) in Indonesian and in English,
whatever the values: the longest tracking code, area, office, receiver name and reason, and the public
address from the settings (and a production-length one)."""

import pytest
from django.conf import settings
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from delivery.choices import DeliveryStatus, FailureReason
from delivery.models import Area, LostPassportCase
from delivery.notifications.sms_texts import (
    SMS_SEPTETS,
    TEMPLATES,
    SmsMessage,
    gsm7_septets,
    sms_render,
    whatsapp_template,
)
from organisations.models import Office

LONGEST_CODE = "APWWWWWWWW"  # "AP" and eight characters of the tracking alphabet
LONG_NAME = "Andi Muhammad Syahrul Ramadhan Ṣaleh Daeng Pabōla " * 5  # past the 200 of the field


def _worst_values(base_url: str) -> dict[str, str]:
    area_max = Area._meta.get_field("name").max_length
    office_max = Office._meta.get_field("name").max_length
    number_max = LostPassportCase._meta.get_field("number").max_length
    reasons = [str(label) for label in FailureReason.labels]
    return {
        # the personal link (``delivery.manage.links``) at its longest
        "url": f"{base_url.rstrip('/')}/m/{LONGEST_CODE}.{'z' * 5}.{'A' * 12}/",
        "otp": "123456",
        "window": "08.30-12.30",
        "courier": LONG_NAME,
        "area": ("Kelurahan Bontoduri Kecamatan Tamalate [Blok C] " * 5)[:area_max],
        "office": ("Kantor Imigrasi Kelas I TPI Makassar ~ Unit Layanan Paspor {UKK} " * 5)[:office_max],
        "name": LONG_NAME,
        "time": "23:59",
        "reason": max(reasons, key=len) + " | " + "x" * 80,
        "delivery_code": "123456",
        "number": "K" * number_max,
    }


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("base_url", [settings.PUBLIC_BASE_URL, "https://antar-paspor.imigrasi.go.id/"])
@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_every_template_fits_one_gsm7_part(kind, language, base_url):
    values = _worst_values(base_url)
    with translation.override(language):
        for with_values in (values, {}):  # the worst values, and the fixed words alone
            text = sms_render(SmsMessage(kind, LONGEST_CODE, with_values))
            septets = gsm7_septets(text)
            assert septets is not None, f"not GSM-7: {text!r}"
            assert septets <= SMS_SEPTETS, (septets, text)
            assert text.startswith(f"antar-paspor {LONGEST_CODE}: ")
            # what must be read whole is whole: the link, the delivery code, the case number, the time
            for name in TEMPLATES[kind].params:
                if name not in TEMPLATES[kind].shorten and with_values:
                    assert with_values[name] in text, (name, text)


def test_the_indonesian_texts_are_translated():
    with translation.override("id"):
        text = sms_render(SmsMessage("dossier_handed", LONGEST_CODE, {"url": "u"}))
    assert text == f"antar-paspor {LONGEST_CODE}: Berkas diserahkan ke Imigrasi. u"


def test_a_long_receiver_name_is_shortened_and_the_rest_stays():
    with translation.override("id"):
        text = sms_render(
            SmsMessage(
                "delivered",
                LONGEST_CODE,
                {"name": LONG_NAME, "time": "09:41", "url": f"https://x.test/track/?code={LONGEST_CODE}"},
            )
        )
    assert gsm7_septets(text) == SMS_SEPTETS
    assert "Paspor diterima Andi Muhammad Syahrul Ramadhan Saleh" in text  # accents made plain
    assert ".. pukul 09:41 WITA. Terima kasih. " in text
    assert text.endswith(f"https://x.test/track/?code={LONGEST_CODE}")


def test_every_move_of_an_order_has_its_message():
    for status in DeliveryStatus.values:
        if status not in (DeliveryStatus.FAILED_ATTEMPT,):
            assert status in TEMPLATES, status
    assert {"failed_attempt", "failed_final", "delivery_code", "code_refused"} <= set(TEMPLATES)


@given(name=st.text(max_size=400), area=st.text(max_size=300), reason=st.text(max_size=300))
def test_any_values_fit(name, area, reason):
    for kind, values in (
        ("delivered", {"name": name, "time": "12:00", "url": "http://127.0.0.1:8000/track/?code=AP22222222"}),
        ("with_delivery_section", {"area": area, "url": "http://127.0.0.1:8000/track/?code=AP22222222"}),
        ("failed_final", {"reason": reason}),
    ):
        for language in ("id", "en"):
            with translation.override(language):
                text = sms_render(SmsMessage(kind, "AP22222222", values))
            septets = gsm7_septets(text)
            assert septets is not None and septets <= SMS_SEPTETS


def test_the_whatsapp_template_carries_the_same_values():
    message = SmsMessage("delivered", "AP22222222", {"name": "Budi", "time": "10:15", "url": "u"})
    with translation.override("en"):
        assert whatsapp_template(message) == (
            "antar_paspor_delivered",
            "en",
            ["AP22222222", "Budi", "10:15", "u"],
        )
    with translation.override("id"):
        assert whatsapp_template(message)[1] == "id"
