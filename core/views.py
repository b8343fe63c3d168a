"""Pages of the kernel: the health check and the language switch."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from core import health


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the portal can serve (``degraded`` when a queue has no worker: its work waits until
    one starts), 503 when the database or the broker is down."""
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    ok = all(checks.values())
    idle = health.queues_without_worker() if ok else []
    body: dict[str, object] = {"status": "unavailable" if not ok else "degraded" if idle else "ok"}
    body.update({name: "ok" if good else "down" for name, good in checks.items()})
    if ok:
        body["queues"] = {queue: "no worker" if queue in idle else "ok" for queue in settings.TASKS_BY_QUEUE}
    return JsonResponse(body, status=200 if ok else 503)


def language_switch(request: HttpRequest, code: str) -> HttpResponseRedirect:
    """A plain link switches the language (no form, so public pages carry no CSRF token)."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    if request.user.is_authenticated and request.user.language != code:
        get_user_model().objects.filter(pk=request.user.pk).update(language=code)
    return response
