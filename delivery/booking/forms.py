import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError
from core.fields import AsciiDigitsField
from delivery.booking.windows import (
    DayOffer,
    first_delivery_day,
    slot_split,
    slot_value,
    window_full_error,
    windows_offered,
)
from delivery.choices import DestinationKind, NotificationChannel
from delivery.models import Area, OnlineBooking


class BookingLookupForm(forms.Form):
    billing_code = AsciiDigitsField(
        label=_("Billing code (15 digits)"),
        max_length=20,
        spaces=True,
        message=_("A billing code has exactly 15 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))


# The field takes no type argument at run time; django-stubs' does.
if TYPE_CHECKING:
    _ModelChoiceField = forms.ModelChoiceField[Area]
else:
    _ModelChoiceField = forms.ModelChoiceField


class AreaChoiceField(_ModelChoiceField):
    """An area shown with its delivery fee in rupiah (dots between the thousands)."""

    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name}: Rp {obj.delivery_fee:,}".replace(",", ".")


NEWS_CHANNEL_CHOICES = [
    (NotificationChannel.SMS, _("SMS")),
    (
        NotificationChannel.WHATSAPP,
        _("WhatsApp (I agree to receive messages about this delivery on WhatsApp at this number)"),
    ),
    (NotificationChannel.EMAIL, _("Email")),
]


def news_channels_field() -> forms.MultipleChoiceField:
    """The applicant's choice of channels for the news of each step (its own block in both booking
    forms). Ticking WhatsApp is the applicant's opt-in, recorded with the booking."""
    return forms.MultipleChoiceField(
        label=_("How should we tell you about each step?"),
        help_text=_("Choose at least one. Short messages go to the mobile phone above."),
        choices=NEWS_CHANNEL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=[NotificationChannel.SMS, NotificationChannel.EMAIL],
        error_messages={"required": _("Choose at least one way to receive news: SMS, WhatsApp or email.")},
    )


class BookingDetailsForm(forms.Form):
    destination_kind = forms.ChoiceField(
        label=_("Deliver to"),
        choices=DestinationKind.choices,
        widget=forms.RadioSelect,
        initial=DestinationKind.HOME,
    )
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.order_by("name"))
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
    news_channels = news_channels_field()
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    agree = forms.BooleanField(
        label=_("I authorise the named PT Pos officer to receive my passport from Imigrasi and deliver it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class AddressChangeForm(BookingDetailsForm):
    # The new area's fee the applicant was shown and confirms (a hidden input of the second step).
    expected_fee = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if self.has_error("expected_fee"):  # a hidden input's own error is not shown on the page
            self.add_error(
                None, _("The fee you confirmed could not be read; check the new fee and confirm again.")
            )
        return data

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("recipient_phone", "recipient_email", "news_channels", "signature", "agree"):
            del self.fields[name]


class RescheduleForm(forms.Form):
    preferred_date = forms.DateField(label=_("Preferred day"), widget=forms.DateInput(attrs={"type": "date"}))
    new_address = forms.CharField(
        label=_("New address in the same area (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeliveryWindowForm(forms.Form):
    """The delivery day and time window, a form of its own beside the booking's details.

    Its choices are the free windows of ``area`` (none until an area is chosen). The pages render
    them grouped by day (``rows``), full windows shown but not choosable; "no preference" keeps the
    1-day clock after the passport reaches the delivery section."""

    delivery_slot = forms.ChoiceField(label=_("Delivery day and time"), required=False)

    def __init__(
        self,
        *args: Any,
        area: Area | None,
        today: dt.date | None = None,
        required: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.area = area
        # A new day after a failed attempt (the area is fixed): a window must be chosen.
        self.required = required
        self.offers: list[DayOffer] = windows_offered(area, today=today) if area is not None else []
        self.first_day = first_delivery_day(area, today=today) if area is not None else None
        field = cast(forms.ChoiceField, self.fields["delivery_slot"])
        field.choices = [("", str(_("No preference")))] + [
            (slot_value(day.day, offer.window), offer.window.label)
            for day in self.offers
            for offer in day.windows
            if offer.free > 0
        ]
        field.error_messages["invalid_choice"] = str(window_full_error().message)
        field.required = required
        field.error_messages["required"] = str(_("Choose a delivery day and time."))

    @property
    def chosen(self) -> str:
        if self.is_bound:
            return str(self.data.get("delivery_slot", ""))
        return str(self.initial.get("delivery_slot", ""))

    @property
    def rows(self) -> list[dict[str, Any]]:
        chosen = self.chosen
        return [
            {
                "day": day.day,
                "windows": [
                    {
                        "value": slot_value(day.day, offer.window),
                        "label": offer.window.label,
                        "free": offer.free,
                        "checked": slot_value(day.day, offer.window) == chosen,
                    }
                    for offer in day.windows
                ],
            }
            for day in self.offers
        ]

    def slot(self) -> tuple[dt.date | None, str | None]:
        """The chosen day and window id (both ``None`` for no preference)."""
        return slot_split(self.cleaned_data.get("delivery_slot") or "")


def area_from_form_data(data: Any, initial: Any = None) -> Area | None:
    """The area a booking page shows windows for: the one posted, else the one it started with."""
    value = (data or {}).get("area") or (initial or {}).get("area") or ""
    value = str(getattr(value, "pk", value))
    return Area.objects.filter(pk=value).first() if value.isdigit() and value.isascii() else None


def window_errors_add(form: DeliveryWindowForm, error: DomainError) -> None:
    """A refused day or window (full, not offered) shown at the window choice."""
    for name in ("window", "delivery_date"):
        for message in error.fields.get(name, []):
            form.add_error("delivery_slot", str(message))


def existing_slot(booking: OnlineBooking | None) -> str:
    """The choice a booking page starts with when the applicant comes back to change the details."""
    if booking is None or booking.delivery_window is None or booking.delivery_date is None:
        return ""
    return slot_value(booking.delivery_date, booking.delivery_window)
