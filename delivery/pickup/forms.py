from django import forms
from django.utils.translation import gettext_lazy as _

from core.fields import AsciiDigitsField
from delivery.choices import IdType, ReceiverKind


class BranchHandoverForm(forms.Form):
    """The branch counter's handover: the applicant's delivery code and who took the passport. The
    checks are the service's (``delivery.pickup.services``), so the page and the API refuse alike."""

    code = AsciiDigitsField(
        label=_("Applicant's delivery code"),
        digits=6,
        message=_("Type the 6 digits of the delivery code."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 6}),
    )
    receiver_kind = forms.ChoiceField(
        label=_("Received by"),
        choices=ReceiverKind.choices,
        widget=forms.RadioSelect,
        initial=ReceiverKind.APPLICANT,
    )
    stand_in_name = forms.CharField(label=_("Stand-in's name"), max_length=200, required=False)
    stand_in_relation = forms.CharField(label=_("Relation to the applicant"), max_length=100, required=False)
    authorisation_seen = forms.BooleanField(
        label=_("The stand-in showed the applicant's written authorisation"), required=False
    )
    id_type = forms.ChoiceField(label=_("ID shown"), choices=[("", "—"), *IdType.choices])
    id_last_four = forms.CharField(
        label=_("Last 4 letters or digits of the ID"),
        max_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 4}),
    )
