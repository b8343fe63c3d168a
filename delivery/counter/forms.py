from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from delivery.booking.forms import news_channels_field
from delivery.choices import DestinationKind
from delivery.models import Area, LostPassportKind
from passports.models import PassportType
from passports.services import REQUIREMENTS_ADULT, REQUIREMENTS_MINOR


def rupiah(amount: int) -> str:
    """``Rp 350.000``: thousands separated by dots, as on the counter's price list."""
    return f"Rp {amount:,}".replace(",", ".")


class PassportTypeChoiceField(forms.ModelChoiceField):
    """Passport types, each with its state fee."""

    def label_from_instance(self, obj: PassportType) -> str:
        return f"{obj.name_id} ({rupiah(obj.fee)})"


class AreaChoiceField(forms.ModelChoiceField):
    """Delivery areas, each with its delivery fee."""

    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name} ({rupiah(obj.delivery_fee)})"


class CounterForm(forms.Form):
    # The arguments of Django's Form, passed on as they come.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ApplicationForm(CounterForm):
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    birth_place = forms.CharField(label=_("Place of birth"), max_length=100)
    birth_date = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))
    address = forms.CharField(label=_("Address"), max_length=300)
    nik = forms.CharField(label=_("NIK (KTP)"), max_length=16, required=False)
    sim_number = forms.CharField(label=_("SIM number"), max_length=14, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=16)
    email = forms.EmailField(label=_("Email"), required=False)
    passport_type = PassportTypeChoiceField(
        label=_("Passport type"), queryset=PassportType.objects.filter(active=True)
    )
    is_minor = forms.BooleanField(label=_("The applicant is a minor"), required=False)
    requirements = forms.MultipleChoiceField(
        label=_("Requirements checked"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(k, v) for k, v in dict(REQUIREMENTS_ADULT + REQUIREMENTS_MINOR).items()],
    )


class PayForm(CounterForm):
    billing_code = forms.CharField(
        label=_("Billing code (15 digits)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class BookForm(CounterForm):
    destination_kind = forms.ChoiceField(
        label=_("Destination"),
        choices=DestinationKind.choices,
        widget=forms.RadioSelect,
        initial=DestinationKind.HOME,
    )
    address = forms.CharField(label=_("Delivery address"), max_length=300)
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.all())
    recipient_phone = forms.CharField(label=_("Contact phone"), max_length=16)
    recipient_email = forms.EmailField(label=_("Contact email"), required=False)
    news_channels = news_channels_field()
    poa_grantee_name = forms.CharField(label=_("Authorised Pos officer"), max_length=200)
    poa_grantee_nippos = forms.CharField(label=_("Nippos"), max_length=20)
    poa_grantee_place = forms.CharField(label=_("Place of duty"), max_length=200)
    poa_signed = forms.BooleanField(label=_("The applicant signed the power of attorney"))
    fee_received = forms.BooleanField(label=_("The delivery fee was received"))


class ConfirmForm(CounterForm):
    confirm = forms.BooleanField(label=_("I have checked the list; this cannot be undone"))


class BatchReportForm(CounterForm):
    """One passport of a batch reported missing or damaged instead of acknowledged."""

    code = forms.ChoiceField(label=_("Passport"))
    kind = forms.ChoiceField(
        label=_("What happened"), choices=LostPassportKind.choices, widget=forms.RadioSelect
    )
    report = forms.CharField(
        label=_("What was found or not found, where and when"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I have looked for this passport; report it (this cannot be undone)")
    )

    def __init__(self, *args: Any, codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = cast(forms.ChoiceField, self.fields["code"])
        code.choices = [("", "—"), *((c, c) for c in codes)]


class SelectionForm(CounterForm):
    """A page where the officer ticks (or scans) several things and confirms once. ``confirm`` is
    set by the confirmation dialog (with JS) or by the confirmation step listing the selection
    (without); a first submit without it shows that step, and nothing is done yet."""

    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class VanStandbyForm(CounterForm):
    arrived_at = forms.TimeField(
        label=_("Arrival time today (WITA)"), widget=forms.TimeInput(attrs={"type": "time"})
    )


class DossierRefuseForm(CounterForm):
    missing_items = forms.MultipleChoiceField(
        label=_("Missing from the dossier"),
        widget=forms.CheckboxSelectMultiple,
        choices=[],
        required=False,  # the service says what is wrong when nothing is ticked
    )
    reason = forms.CharField(label=_("Note for Pos"), required=False, max_length=300)
    confirm = forms.BooleanField(label=_("Send the dossier back to Pos"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from delivery.counter.manifest import DOSSIER_ITEMS

        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["missing_items"]).choices = DOSSIER_ITEMS
