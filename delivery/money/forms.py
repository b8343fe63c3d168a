"""The forms of the daily statements: build a day's statement, dispute a line."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class StatementBuildForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))


class StatementDisputeForm(forms.Form):
    line = forms.TypedChoiceField(label=_("Line or NTPN difference you dispute"), coerce=str)
    reason = forms.CharField(
        label=_("What is wrong"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["line"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]
