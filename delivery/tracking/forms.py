import datetime as dt
import re
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.fields import AsciiDigitsField

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class IsoFirstDateField(forms.DateField):
    """A date picker sends ``YYYY-MM-DD``: read that at once, and only otherwise try the language's
    formats (typed by hand, e.g. ``17/05/1990``), which Django would try one by one before ISO."""

    def to_python(self, value: str | dt.datetime | dt.date | None) -> dt.date | None:
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

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        return code.strip().upper()

    def clean(self) -> dict[str, Any] | None:
        data = cast(dict[str, Any], super().clean())  # Form.clean returns cleaned_data
        if not self.errors and not data.get("birth_date") and not data.get("nik_last4"):
            raise forms.ValidationError(_("Enter your date of birth or the last 4 digits of your NIK."))
        return data
