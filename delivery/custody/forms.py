"""The forms of a lost passport case: report it, attach the police report, decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from delivery.models import LostPassportKind


class LostCaseOpenForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened to the passport?"), choices=LostPassportKind.choices, widget=forms.RadioSelect
    )
    report = forms.CharField(
        label=_("What was found or not found, where and when"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    confirm = forms.BooleanField(
        label=_("I have searched for it; both agencies and the applicant will be told now."), required=True
    )


class PoliceReportForm(forms.Form):
    police_report_number = forms.CharField(label=_("Police report number"), max_length=60)
    police_report = forms.FileField(
        label=_("Police report (PDF, JPEG or PNG, at most 5 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )


class LostCaseDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Imigrasi's decision"),
        choices=[
            ("found", _("Found: the delivery goes on")),
            ("reissue", _("Cancel and reissue the passport (ends this delivery)")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the applicant (required when the passport is reissued)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(label=_("I confirm this decision; it cannot be undone."), required=True)
