"""The problems queue page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from accounts.http import AuthenticatedHttpRequest
from delivery.permissions import SUPERVISORS, roles
from delivery.problems import selectors as sel


@roles(*SUPERVISORS)
def problems(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "counter/problems.html", {"problems": sel.problems_visible_to(request.user)[:200]})
