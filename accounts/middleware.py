"""The accounts' middleware: sessions end after a quiet spell, and staff pass the second factor."""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.two_factor import second_factor_required, totp_device_confirmed

logger = logging.getLogger(__name__)

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class IdleTimeoutMiddleware:
    """Logs a user out after a quiet spell: ``STAFF_IDLE_TIMEOUT`` seconds for staff (a counter PC is
    shared), ``COURIER_IDLE_TIMEOUT`` for couriers (their own phone, which must still send the offline
    queue after an hour without network), ``APPLICANT_IDLE_TIMEOUT`` for applicants and agencies. The last activity is
    written to the session at most once a minute."""

    SESSION_KEY = "last_activity"

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.SESSION_KEY)
            if user.role == "courier":
                # A courier's phone syncs its offline queue after long gaps on the street: a shift.
                limit = settings.COURIER_IDLE_TIMEOUT
            elif second_factor_required(user):
                limit = settings.STAFF_IDLE_TIMEOUT
            else:
                limit = settings.APPLICANT_IDLE_TIMEOUT
            if last is not None and now - int(last) > limit:
                logout(request)
                logger.info("security.session.idle_logout path=%s", request.path)
                if not request.path.startswith("/api/"):
                    messages.info(
                        request,
                        _(
                            "You were logged out after %(minutes)d minutes without activity. "
                            "Please log in again."
                        )
                        % {"minutes": limit // 60},
                    )
                    return HttpResponseRedirect(
                        f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}"
                    )
            elif last is None or now - int(last) >= 60:
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """A staff session that has not passed the second factor reaches only the code pages.

    Runs after django-otp's ``OTPMiddleware`` (which gives ``request.user.is_verified()``). API
    requests authenticated by a partner token do not go through the session and are not affected.
    """

    OPEN_PREFIXES = ("/login/", "/logout/", "/lang/", "/static/", "/healthz")

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(self.OPEN_PREFIXES):
            if second_factor_required(user) and not user.is_verified():
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "code": "second_factor_required",
                            "message": str(_("Enter the code from your authenticator app first.")),
                            "fields": {},
                        },
                        status=403,
                    )
                name = "two-factor-verify" if totp_device_confirmed(user=user) else "two-factor-setup"
                return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
