from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _


class ComplaintForm(forms.Form):
    category = forms.ChoiceField(label=_("What is it about?"), choices=[("", "---------")])
    tracking_code = forms.CharField(
        label=_("Tracking code (if you have one)"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    text = forms.CharField(
        label=_("Your complaint"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )
    photo = forms.FileField(
        label=_("Photo (optional; JPEG, PNG or WebP, at most 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    contact_email = forms.CharField(
        label=_("Email for the answer"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from complaints.choices import ComplaintCategory

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", "---------"),
            *ComplaintCategory.choices,
        ]


class ComplaintReplyForm(forms.Form):
    text = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
