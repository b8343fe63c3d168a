import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.fields import AsciiDigitsField
from delivery.choices import DestinationKind
from delivery.models import Area, Courier


class MoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, reason_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


class AssignCourierForm(forms.Form):
    courier = forms.ModelChoiceField(label=_("Courier"), queryset=Courier.objects.none())

    def __init__(self, *args, office_id: int, area_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Courier.objects.filter(office_id=office_id, active=True).order_by("name")
        self.fields["courier"].queryset = qs
        if area_id and not self.is_bound:
            suggested = qs.filter(areas__id=area_id).first()
            if suggested:
                self.fields["courier"].initial = suggested.pk


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class IsoFirstDateField(forms.DateField):
    """A date picker sends ``YYYY-MM-DD``: read that at once, and only otherwise try the language's
    formats (typed by hand, e.g. ``17/05/1990``), which Django would try one by one before ISO."""

    def to_python(self, value):
        if isinstance(value, str) and _ISO_DATE.fullmatch(value := value.strip()):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass  # 1990-02-30: the usual message from the formats below
        return super().to_python(value)


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=12)
    birth_date = IsoFirstDateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    nik_last4 = AsciiDigitsField(
        label=_("or the last 4 digits of your NIK"),
        required=False,
        digits=4,
        message=_("Enter 4 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("birth_date") and not data.get("nik_last4"):
            raise forms.ValidationError(_("Enter your date of birth or the last 4 digits of your NIK."))
        return data


class BookingLookupForm(forms.Form):
    billing_code = AsciiDigitsField(
        label=_("Billing code (15 digits)"),
        max_length=20,
        spaces=True,
        message=_("A billing code has exactly 15 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))


class BookingDetailsForm(forms.Form):
    destination_kind = forms.ChoiceField(
        label=_("Deliver to"),
        choices=DestinationKind.choices,
        widget=forms.RadioSelect,
        initial=DestinationKind.HOME,
    )
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.order_by("name"))
    address = forms.CharField(
        label=_("Delivery address"),
        max_length=300,
        help_text=_("Street, number, district (kelurahan)."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    recipient_phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    recipient_email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    agree = forms.BooleanField(
        label=_("I authorise the named PT Pos officer to receive my passport from Imigrasi and deliver it."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["area"].label_from_instance = lambda a: f"{a.name}: Rp {a.delivery_fee:,}".replace(
            ",", "."
        )


class AddressChangeForm(BookingDetailsForm):
    # The new area's fee the applicant was shown and confirms (a hidden input of the second step).
    expected_fee = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if self.has_error("expected_fee"):  # a hidden input's own error is not shown on the page
            self.add_error(
                None, _("The fee you confirmed could not be read; check the new fee and confirm again.")
            )
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("recipient_phone", "recipient_email", "signature", "agree"):
            del self.fields[name]
