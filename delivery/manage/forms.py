from collections.abc import Sequence
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


class PickupForm(forms.Form):
    """The branch to collect the passport at, and the confirmation that home delivery ends."""

    branch = forms.TypedChoiceField(
        label=_("Pos branch"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the Pos branches listed."),
            "invalid_choice": _("Choose one of the Pos branches listed."),
        },
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand: the courier no longer comes; I collect my passport at this branch with my "
            "delivery code and my ID. This cannot be undone."
        ),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args: Any, branches: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["branch"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (branch.pk, f"{branch.name} – {branch.address} ({branch.opening_hours})") for branch in branches
        ]


class SignUpForm(forms.Form):
    username = forms.CharField(label=_("Login name"), max_length=150)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


# The five answers, each with its word, so that a screen reader and a glance read the same.
RATING_CHOICES = [
    ("1", _("1 – very bad")),
    ("2", _("2 – bad")),
    ("3", _("3 – neither good nor bad")),
    ("4", _("4 – good")),
    ("5", _("5 – very good")),
]


class RatingForm(forms.Form):
    """The rating's one question and the optional comment; the checks are the service's
    (``delivery.manage.rating``), so that the page and the API refuse alike."""

    score = forms.ChoiceField(
        label=_("How did the delivery of your passport go?"),
        choices=RATING_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a score from 1 (very bad) to 5 (very good)."),
            "invalid_choice": _("Choose a score from 1 (very bad) to 5 (very good)."),
        },
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us (optional)"),
        help_text=_("At most 500 characters. Please do not write your name, phone number or address."),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 500}),
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
