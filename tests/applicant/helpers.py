"""Applications waiting for online booking, and signatures as a browser would send them."""

from __future__ import annotations

import base64
import datetime as dt
import io
import itertools

from PIL import Image, ImageDraw

from passports import services as passport_services
from passports.models import PassportType

BORN = dt.date(1991, 3, 14)
_n = itertools.count(500)


def make_billed_application(ref: dict, *, owner=None, birth_date=BORN, paid: bool = False, email: str = ""):
    """An application with a billing code issued at the counter (paid or not), no delivery yet."""
    n = next(_n)
    applicant = passport_services.applicant_create(
        full_name=f"Pemohon Daring {n}",
        birth_place="Gowa",
        birth_date=birth_date,
        address=f"Jl. Daring No. {n}, Makassar",
        phone="081355500000",
        nik=f"7371{n:08d}4321",
        email=email or f"daring{n}@example.test",
        user=owner,
    )
    application = passport_services.passport_application_record(
        applicant=applicant,
        office=ref["offices"]["imigrasi"],
        passport_type=PassportType.objects.get(code="biasa-48"),
    )
    billing = passport_services.billing_code_issue(application=application)
    if paid:
        passport_services.payment_confirm(
            billing_code_id=billing.pk, ntpn=f"NTPN{n:012d}", amount=billing.amount
        )
    return application


def signature_png(width: int = 600, height: int = 200) -> bytes:
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(20, 150), (200, 40), (380, 160), (560, 50)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def data_url(raw: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(raw).decode()
