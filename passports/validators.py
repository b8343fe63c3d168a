"""Formats of the identifiers the service handles; one validator per format."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

validate_nik = RegexValidator(r"^\d{16}$", _("A NIK (KTP number) has exactly 16 digits."), code="invalid_nik")
validate_sim = RegexValidator(
    r"^\d{12,14}$", _("A SIM (driving licence) number has 12 to 14 digits."), code="invalid_sim"
)
validate_phone = RegexValidator(
    r"^(\+62|0)8\d{7,12}$",
    _("Enter an Indonesian mobile number, for example 081234567890 or +6281234567890."),
    code="invalid_phone",
)
validate_billing_code = RegexValidator(
    r"^\d{15}$", _("A billing code has exactly 15 digits."), code="invalid_billing_code"
)
validate_ntpn = RegexValidator(
    r"^[0-9A-Z]{16}$", _("An NTPN has exactly 16 letters or digits."), code="invalid_ntpn"
)
validate_passport_number = RegexValidator(
    r"\A[A-Z]{1,2}[0-9]{7}\Z",
    _("A passport number is one or two capital letters followed by 7 digits, for example E1234567."),
    code="invalid_passport_number",
)
