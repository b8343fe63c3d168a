"""The pages of the daily statements: the list with the build form, one statement with its
approvals and disputes, its PDF and XLSX. Each action calls one service of ``statements``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.choices import Role
from accounts.http import AuthenticatedHttpRequest
from core.db_router import replica_reads_on_get
from core.exceptions import DomainError
from core.files import pdf_response
from core.forms import form_errors_add
from delivery.money import statements as st
from delivery.money.documents import statement_context, statement_pdf, statement_xlsx
from delivery.money.forms import StatementBuildForm, StatementDisputeForm
from delivery.permissions import roles
from ledger.choices import Agency
from ledger.models import Statement

READERS = tuple(st.STATEMENT_READERS)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@roles(*READERS)
@require_http_methods(["GET", "POST"])
@replica_reads_on_get
def statement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The statements of the user's office, newest first, and the form to build one day's again."""
    user = request.user
    pos_office = st.pos_office_of(user)
    form = StatementBuildForm(request.POST or None, initial={"day": st.today()})
    if request.method == "POST" and form.is_valid():
        if pos_office is None:
            form.add_error(
                None, _("Your office has no statements: choose the office's statement in the admin.")
            )
        else:
            try:
                statement = st.statement_build(
                    pos_office_id=pos_office.pk, day=form.cleaned_data["day"], actor=user
                )
            except DomainError as error:
                form_errors_add(form, error)
            else:
                messages.success(request, _("The statement is built from the ledger."))
                return redirect("money-statement", statement_id=statement.pk)
    rows = st.statements_visible_to(user)[:120]
    return render(
        request,
        "money/statement_list.html",
        {"rows": rows, "form": form, "may_build": pos_office is not None},
    )


def _statement(request: AuthenticatedHttpRequest, statement_id: int) -> Statement:
    statement = st.statements_visible_to(request.user).filter(pk=statement_id).first()
    if statement is None:
        raise Http404
    return statement


def _dispute_choices(statement: Statement) -> list[tuple[str, str]]:
    lines = [
        (
            f"line-{line.pk}",
            f"{line.get_section_display()}: {line.reference} · Rp {line.amount:,}".replace(",", "."),
        )
        for line in statement.lines.all()
    ]
    differences = [
        (f"difference-{d.pk}", f"{d.get_kind_display()}: {d.ntpn}") for d in statement.differences.all()
    ]
    return differences + lines


def _int_or_zero(text: str) -> int:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else 0


@roles(*READERS)
@require_http_methods(["GET", "POST"])
@replica_reads_on_get
def statement_detail(request: AuthenticatedHttpRequest, statement_id: int) -> HttpResponse:
    """One statement: figures, lines, NTPN check, approvals; approve for one's agency, dispute a line,
    build again."""
    user = request.user
    statement = _statement(request, statement_id)
    action = request.POST.get("action", "")
    choices = _dispute_choices(statement)
    dispute_form = StatementDisputeForm(request.POST if action == "dispute" else None, choices=choices)
    refusal = ""
    refusal_status = 200
    if request.method == "POST":
        try:
            if action == "approve":
                st.statement_approve(
                    actor=user, statement_id=statement.pk, agency=request.POST.get("agency", "")
                )
                messages.success(request, _("Your approval is recorded."))
                return redirect("money-statement", statement_id=statement.pk)
            if action == "rebuild":
                st.statement_build(pos_office_id=statement.pos_office_id, day=statement.day, actor=user)
                messages.success(request, _("The statement is built from the ledger."))
                return redirect("money-statement", statement_id=statement.pk)
            if action == "settle":
                st.statement_dispute_settle(
                    actor=user,
                    statement_id=statement.pk,
                    dispute_id=_int_or_zero(request.POST.get("dispute", "")),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("The dispute is settled and off both problems queues."))
                return redirect("money-statement", statement_id=statement.pk)
            if action == "dispute" and dispute_form.is_valid():
                kind, _sep, number = dispute_form.cleaned_data["line"].partition("-")
                st.statement_dispute(
                    actor=user,
                    statement_id=statement.pk,
                    reason=dispute_form.cleaned_data["reason"],
                    line_id=int(number) if kind == "line" else None,
                    difference_id=int(number) if kind == "difference" else None,
                )
                messages.success(request, _("The dispute is on both agencies' problems queue."))
                return redirect("money-statement", statement_id=statement.pk)
        except DomainError as error:
            if action == "dispute":
                form_errors_add(dispute_form, error)
            else:
                refusal, refusal_status = str(error.message), error.status_code
        statement.refresh_from_db()
    agency = st.statement_agency_of(user, statement)
    approved_at = {Agency.POS: statement.pos_approved_at, Agency.IMIGRASI: statement.imigrasi_approved_at}
    return render(
        request,
        "money/statement_detail.html",
        {
            **statement_context(statement),
            "agency": agency,
            "agency_label": Agency(agency).label if agency else "",
            "may_approve": user.role == Role.AGENCY_MANAGER
            and agency is not None
            and approved_at[Agency(agency)] is None
            and statement.status != st.S.DISPUTED,
            "may_dispute": user.role == Role.AGENCY_MANAGER
            and agency is not None
            and statement.status != st.S.APPROVED,
            "may_rebuild": statement.status == st.S.OPEN,
            "may_settle": user.role == Role.AGENCY_MANAGER and agency is not None,
            "dispute_form": dispute_form,
            "disputes": st.statement_disputes(statement),
            "refusal": refusal,
        },
        status=refusal_status,
    )


@roles(*READERS)
@replica_reads_on_get
def statement_pdf_view(request: AuthenticatedHttpRequest, statement_id: int) -> HttpResponse:
    statement = _statement(request, statement_id)
    return pdf_response(statement_pdf(statement=statement), f"rekap-harian-{statement.day:%Y%m%d}.pdf")


@roles(*READERS)
@replica_reads_on_get
def statement_xlsx_view(request: AuthenticatedHttpRequest, statement_id: int) -> HttpResponse:
    statement = _statement(request, statement_id)
    response = HttpResponse(statement_xlsx(statement=statement), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="rekap-harian-{statement.day:%Y%m%d}.xlsx"'
    return response
