"""The pages of a lost passport case: report it from the order, follow it, attach the police
report, decide; and the list of cases with their age."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.choices import Role
from accounts.http import AuthenticatedHttpRequest
from core.exceptions import DomainError
from core.files import upload_response
from core.forms import form_errors_add
from delivery.custody import lost
from delivery.custody.forms import LostCaseDecisionForm, LostCaseOpenForm, PoliceReportForm
from delivery.custody.selectors import lost_case_events, lost_cases_visible_to
from delivery.handoff.selectors import orders_visible_to
from delivery.models import LostPassportCase
from delivery.permissions import LOST_CASE_DECIDERS, LOST_CASE_READERS, LOST_CASE_REPORTERS, roles


class Step(NamedTuple):
    state: str
    role: str
    office: str
    at: dt.datetime


def _steps(case: LostPassportCase) -> list[Step]:
    return [
        Step(
            state=lost.LOST_PASSPORT_STATES.state_label(event.to_status),
            role=str(Role(event.actor_role).label) if event.actor_role in Role.values else "",
            office=event.office.name if event.office else "",
            at=event.occurred_at,
        )
        for event in lost_case_events(case)
    ]


@roles(*LOST_CASE_READERS)
@require_http_methods(["GET", "POST"])
def lost_case(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The order's open case (or the form to open one), with the order's decided cases below."""
    order = get_object_or_404(orders_visible_to(request.user), code=code)
    cases = list(lost_cases_visible_to(request.user).filter(order=order))
    case = next((c for c in cases if c.is_open), None)
    user = request.user
    open_form = LostCaseOpenForm(request.POST if request.POST.get("action") == "open" else None)
    report_form = PoliceReportForm(
        request.POST if request.POST.get("action") == "police_report" else None,
        request.FILES if request.POST.get("action") == "police_report" else None,
    )
    decision_form = LostCaseDecisionForm(request.POST if request.POST.get("action") == "decide" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "open" and open_form.is_valid():
                case = lost.lost_case_open(
                    actor=user,
                    order_code=order.code,
                    kind=open_form.cleaned_data["kind"],
                    report=open_form.cleaned_data["report"],
                )
                messages.success(
                    request,
                    _("Case %(number)s is open; both agencies and the applicant are told.")
                    % {"number": case.number},
                )
                return redirect("custody-lost-case", code=order.code)
            if action == "police_report" and case is not None and report_form.is_valid():
                lost.lost_case_police_report(
                    actor=user,
                    number=case.number,
                    report_number=report_form.cleaned_data["police_report_number"],
                    upload=report_form.cleaned_data["police_report"],
                )
                messages.success(request, _("The police report is attached."))
                return redirect("custody-lost-case", code=order.code)
            if action == "decide" and case is not None and decision_form.is_valid():
                lost.lost_case_decide(
                    actor=user,
                    number=case.number,
                    decision=decision_form.cleaned_data["decision"],
                    note=decision_form.cleaned_data["note"],
                )
                messages.success(request, _("The decision is recorded; the applicant is told."))
                return redirect("custody-lost-case", code=order.code)
        except DomainError as error:
            form = {"open": open_form, "police_report": report_form, "decide": decision_form}.get(
                action or ""
            )
            if form is None:
                raise
            form_errors_add(form, error)
    return render(
        request,
        "custody/lost_case.html",
        {
            "order": order,
            "case": case,
            "steps": _steps(case) if case else [],
            "decided": [c for c in cases if not c.is_open],
            "holder": lost.last_holder(order) if case is None else None,
            "may_report": user.role in LOST_CASE_REPORTERS,
            "may_decide": user.role in LOST_CASE_DECIDERS and user.office_id == order.imigrasi_office_id,
            "open_form": open_form,
            "report_form": report_form,
            "decision_form": decision_form,
        },
    )


@roles(*LOST_CASE_READERS)
def lost_cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every case of the orders the user sees: open ones first with their age in days."""
    now = timezone.now()
    rows = [(case, (now - case.reported_at).days) for case in lost_cases_visible_to(request.user)[:200]]
    return render(request, "custody/lost_cases.html", {"rows": rows})


@roles(*LOST_CASE_READERS)
def police_report(request: AuthenticatedHttpRequest, number: str) -> HttpResponseBase:
    case = lost_cases_visible_to(request.user).filter(number=number).first()
    if case is None or not case.police_report:
        raise Http404
    return upload_response(case.police_report, download_name=f"laporan-polisi-{case.number}")
