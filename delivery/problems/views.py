"""The problems queue page."""

from __future__ import annotations

from django.shortcuts import render

from delivery.counter import selectors as sel
from delivery.permissions import SUPERVISORS, roles


@roles(*SUPERVISORS)
def problems(request):
    return render(request, "counter/problems.html", {"problems": sel.problems_visible_to(request.user)[:200]})
