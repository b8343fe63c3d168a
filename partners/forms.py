import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from delivery.models import Area
from partners.choices import Indicator, MeetingStatus, ObligationStatus, Party
from partners.scopes import Scope

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DashboardFilterForm(forms.Form):
    start = forms.CharField(
        label=_("From month"), required=False, widget=forms.TextInput(attrs={"type": "month"})
    )
    end = forms.CharField(
        label=_("To month"), required=False, widget=forms.TextInput(attrs={"type": "month"})
    )
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.all(),
        required=False,
        empty_label=_("All areas"),
        to_field_name="code",
    )
    scope = forms.ChoiceField(label=_("Offices"), required=False, choices=())

    def __init__(self, *args: Any, scopes: Sequence[Scope] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # All of Indonesia, the user's own office, each region, each office (``partners.scopes``).
        cast(forms.ChoiceField, self.fields["scope"]).choices = [(s.key, s.label) for s in scopes]

    @staticmethod
    def _month(value: str | None, field: str) -> dt.date | None:
        if not value:
            return None
        try:
            year, month = (int(p) for p in value.split("-"))
            return dt.date(year, month, 1)
        except (ValueError, TypeError):
            raise forms.ValidationError({field: _("Use the form YYYY-MM, e.g. 2019-12.")}) from None

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())  # the form's cleaned data, never None here
        data["start_date"] = self._month(data.get("start"), "start")
        data["end_date"] = self._month(data.get("end"), "end")
        if data["start_date"] and data["end_date"] and data["start_date"] > data["end_date"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        if data["start_date"] and data["end_date"] and (data["end_date"].year - data["start_date"].year) > 20:
            raise forms.ValidationError(_("Choose a period of at most 20 years."))
        return data


class UptakeMonthForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Month (1-12)"), min_value=1, max_value=12)
    issued = forms.IntegerField(label=_("Passports issued"), min_value=0)


class UptakeCsvForm(forms.Form):
    file = forms.FileField(label=_("CSV file (columns year, month, issued)"))


class RowForm(forms.Form):
    """The row an inline form acts on, sent as a hidden id (``item``, ``obligation``): a whole
    number, else the form is refused (never ``int()`` on what was posted)."""

    def __init__(self, *args: Any, name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name = name
        self.fields[name] = forms.IntegerField(min_value=1)

    @property
    def row_id(self) -> int:
        return self.cleaned_data[self.name]


class ObligationStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ObligationStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("PDF file (at most 10 MB)"))


class ConsentForm(forms.Form):
    given_by = forms.ChoiceField(label=_("Consent given by"), choices=Party.choices)
    third_party = forms.CharField(label=_("Third party"), max_length=200)
    scope = forms.CharField(label=_("What is transferred"), widget=forms.Textarea(attrs={"rows": 2}))
    letter_reference = forms.CharField(label=_("Letter number"), max_length=200)
    given_on = forms.DateField(label=_("Given on"), widget=DATE)


class AmendmentForm(forms.Form):
    signed_on = forms.DateField(label=_("Amendment signed on"), widget=DATE)
    summary = forms.CharField(label=_("What it changes"), widget=forms.Textarea(attrs={"rows": 2}))
    valid_until = forms.DateField(label=_("New end of validity"), required=False, widget=DATE)


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=MeetingStatus.choices)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    participants_imigrasi = forms.CharField(
        label=_("Participants from Imigrasi"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    participants_pos = forms.CharField(
        label=_("Participants from PT Pos"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    decisions = forms.CharField(
        label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ActionItemForm(forms.Form):
    description = forms.CharField(label=_("Action"), max_length=500)
    owner = forms.CharField(label=_("Owner"), max_length=200)
    owner_party = forms.ChoiceField(label=_("Side"), choices=Party.choices)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)


class ScorecardForm(forms.Form):
    """One score (1-5) and a note per indicator; range checks are the service's."""

    def __init__(
        self, *args: Any, initial_scores: Mapping[str, tuple[int | None, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        initial_scores = initial_scores or {}
        for value, label in Indicator.choices:
            score, notes = initial_scores.get(value, (None, ""))
            self.fields[f"score_{value}"] = forms.IntegerField(
                label=label, initial=score, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
            )
            self.fields[f"notes_{value}"] = forms.CharField(
                label=_("Notes: %(indicator)s") % {"indicator": label},
                required=False,
                initial=notes,
                max_length=500,
            )

    def scores(self) -> dict[str, tuple[int, str]]:
        return {
            v: (self.cleaned_data[f"score_{v}"], self.cleaned_data[f"notes_{v}"]) for v in Indicator.values
        }


class DisputeForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Deliberation note"), widget=forms.Textarea(attrs={"rows": 3}))


class ConsensusForm(forms.Form):
    consensus = forms.CharField(label=_("Consensus reached"), widget=forms.Textarea(attrs={"rows": 3}))


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    number_pos = forms.CharField(label=_("PT Pos's number"), max_length=200, required=False)
    number_imigrasi = forms.CharField(label=_("Imigrasi's number"), max_length=200, required=False)
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ArticleForm(forms.Form):
    number = forms.CharField(label=_("Article number"), max_length=20)
    title = forms.CharField(label=_("Article title"), max_length=200)
    text = forms.CharField(label=_("Article text"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ObligationForm(forms.Form):
    party = forms.ChoiceField(label=_("Party"), choices=Party.choices)
    text = forms.CharField(label=_("Obligation"), widget=forms.Textarea(attrs={"rows": 2}))
