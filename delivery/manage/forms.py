from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.fields import AsciiDigitsField


class CodeForm(forms.Form):
    code = AsciiDigitsField(
        label=_("One-time code"),
        digits=6,
        message=_("Type the 6 digits of the code we sent you."),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "maxlength": 6,
            }
        ),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), max_length=300, required=False)
    confirm = forms.BooleanField(
        label=_("I understand: the delivery ends, and I collect my passport at the Imigrasi office."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class SignUpForm(forms.Form):
    username = forms.CharField(label=_("Login name"), max_length=150)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class MemberPoaForm(forms.Form):
    """A group member signs their power of attorney; the one-time code when not confirmed yet."""

    code = AsciiDigitsField(
        label=_("One-time code"),
        digits=6,
        message=_("Type the 6 digits of the code we sent you."),
        widget=CodeForm.base_fields["code"].widget,
    )
    agree = forms.BooleanField(
        label=_("I authorise the named PT Pos officer to receive my passport from Imigrasi and deliver it."),
    )
    signature = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, code_needed: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not code_needed:
            del self.fields["code"]
