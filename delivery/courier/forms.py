from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from delivery.models import Courier


class AssignCourierForm(forms.Form):
    courier = forms.ModelChoiceField(label=_("Courier"), queryset=Courier.objects.none())

    def __init__(self, *args: Any, office_id: int, area_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = Courier.objects.filter(office_id=office_id, active=True).order_by("name")
        field = cast("forms.ModelChoiceField[Courier]", self.fields["courier"])
        field.queryset = qs
        if area_id and not self.is_bound:
            suggested = qs.filter(areas__id=area_id).first()
            if suggested:
                field.initial = suggested.pk
