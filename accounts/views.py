from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from accounts import two_factor
from accounts.homes import home_url_for
from accounts.http import AuthenticatedHttpRequest

logger = logging.getLogger(__name__)


# --- Log in: password, lock-out, second factor --------------------------------------------------


class PortalLoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    redirect_authenticated_user = False

    def get_default_redirect_url(self) -> str:
        """Without a page to return to (``next``), each role lands on its own home."""
        return home_url_for(self.request.user)


def login_locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes calls this when a username and address have failed too often."""
    from django.contrib.auth.forms import AuthenticationForm

    minutes = int(axes_cool_off().total_seconds() // 60)
    return render(
        request,
        "portal/login.html",
        {
            "form": AuthenticationForm(request),
            "locked_out": True,
            "cool_off_minutes": minutes,
            "next": request.POST.get("next", ""),
        },
        status=429,
    )


def axes_cool_off() -> dt.timedelta:
    return settings.AXES_COOLOFF_TIME


def _safe_next(request: HttpRequest, default: str | None = None) -> str:
    """The page to return to after a login step; by default the user's own home."""
    if default is None:
        default = home_url_for(request.user)
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    return target


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=10,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )


@login_required
@never_cache
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not two_factor.second_factor_required(user):
        return HttpResponseRedirect("/")
    if two_factor.totp_device_confirmed(user=user) is not None and not user.is_verified():
        return HttpResponseRedirect(
            f"{reverse('two-factor-verify')}?{urlencode({'next': _safe_next(request)})}"
        )
    device = two_factor.totp_setup_start(user=user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = two_factor.totp_setup_confirm(user=user, token=form.cleaned_data["code"])
        if confirmed is not None:
            otp_login(request, confirmed)
            logger.info("security.two_factor.set_up user=%s", user.pk)
            messages.success(
                request, _("Two-step login is set up. You will be asked for a code at every login.")
            )
            return HttpResponseRedirect(_safe_next(request))
        form.add_error(
            "code", _("That code is not right. Check the time on your phone and try the newest code.")
        )
    return render(
        request,
        "portal/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": two_factor.totp_qr_svg(device),
            "secret": two_factor.totp_secret_text(device),
            "next": _safe_next(request, ""),
        },
    )


@login_required
@never_cache
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not two_factor.second_factor_required(user) or user.is_verified():
        return HttpResponseRedirect(_safe_next(request))
    if two_factor.totp_device_confirmed(user=user) is None:
        return HttpResponseRedirect(
            f"{reverse('two-factor-setup')}?{urlencode({'next': _safe_next(request)})}"
        )
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = two_factor.totp_verify(user=user, token=form.cleaned_data["code"])
        if check.device is not None:
            otp_login(request, check.device)
            return HttpResponseRedirect(_safe_next(request))
        if check.throttled:
            form.add_error("code", _("Too many wrong codes. Wait a minute, then try the newest code."))
        else:
            logger.info("security.two_factor.wrong_code user=%s", user.pk)
            form.add_error(
                "code", _("That code is not right. Check the time on your phone and try the newest code.")
            )
    return render(request, "portal/two_factor_verify.html", {"form": form, "next": _safe_next(request, "")})
