from django import forms
from django.utils.translation import gettext_lazy as _

from delivery.models import Courier


class MoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=500,
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


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=12)
    birth_date = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()
