from django.conf import settings
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from delivery.selectors import status_counts, work_queue
from portal import health
from portal.models import User


@never_cache
def healthz(request):
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    ok = all(checks.values())
    body = {"status": "ok" if ok else "unavailable"}
    body.update({name: "ok" if good else "down" for name, good in checks.items()})
    return JsonResponse(body, status=200 if ok else 503)


def home(request):
    """Logged in: the work queue of the role. Anonymous: the public landing page of the service."""
    user = request.user
    if not user.is_authenticated:
        from delivery.selectors import landing_facts

        return render(request, "portal/landing.html", landing_facts())
    return render(
        request,
        "portal/home.html",
        {"sections": work_queue(user), "counts": status_counts(user)},
    )


def language_switch(request, code: str):
    """A plain link switches the language (no form, so public pages carry no CSRF token)."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)
    if request.user.is_authenticated and request.user.language != code:
        User.objects.filter(pk=request.user.pk).update(language=code)
    return response
