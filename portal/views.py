from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from delivery.selectors import status_counts, work_queue
from portal import health


@never_cache
def healthz(request):
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    ok = all(checks.values())
    body = {"status": "ok" if ok else "unavailable"}
    body.update({name: "ok" if good else "down" for name, good in checks.items()})
    return JsonResponse(body, status=200 if ok else 503)


@login_required
def home(request):
    user = request.user
    return render(
        request,
        "portal/home.html",
        {"sections": work_queue(user), "counts": status_counts(user)},
    )
