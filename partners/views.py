"""Pages of the partnership for the agency managers of both sides. Each view calls one service or
selector; refusals come back as messages or form errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedHttpRequest
from core.exceptions import DomainError
from core.files import pdf_response
from core.forms import form_errors_add
from partners import exports, selectors, services
from partners.choices import DisputeStatus, Indicator
from partners.forms import (
    ActionItemForm,
    AgreementForm,
    AmendmentForm,
    ArticleForm,
    AttachmentForm,
    ConsensusForm,
    ConsentForm,
    DashboardFilterForm,
    DisputeForm,
    MeetingForm,
    NoteForm,
    ObligationForm,
    ObligationStatusForm,
    RowForm,
    ScorecardForm,
    UptakeCsvForm,
    UptakeMonthForm,
)
from partners.models import Agreement, Dispute, EvaluationMeeting, Obligation
from partners.permissions import is_manager
from partners.scopes import scope_resolve, scopes_for
from partners.selectors import Dashboard
from partners.services import AgreementChanges

P = ParamSpec("P")


def manager_required(
    view: Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponseBase],
) -> Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponseBase]:
    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not is_manager(request.user):
            messages.error(request, _("The partnership pages are for the agency managers."))
            return redirect("home")
        return view(request, *args, **kwargs)

    return wrapper


# Home and dashboard ------------------------------------------------------------------------------


@manager_required
def partners_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "partners/home.html",
        {
            "pace": selectors.meeting_pace(today=today),
            "overdue": selectors.overdue_action_items(today=today),
            "agreement": services.agreement_in_force(on=today),
            "open_disputes": Dispute.objects.exclude(status=DisputeStatus.CLOSED).count(),
        },
    )


def _board_from(request: AuthenticatedHttpRequest) -> tuple[DashboardFilterForm, Dashboard]:
    choices = scopes_for(request.user)
    form = DashboardFilterForm(request.GET or None, scopes=choices)
    period = selectors.default_period()
    area = None
    scope = choices[0]
    if form.is_bound and form.is_valid():
        scope = scope_resolve(request.user, form.cleaned_data["scope"], choices)
        period = selectors.Period(
            start=form.cleaned_data["start_date"] or period.start,
            end=form.cleaned_data["end_date"] or period.end,
        )
        if period.start > period.end:
            period = selectors.Period(start=period.start, end=period.start)
        area = form.cleaned_data["area"]
    elif not form.is_bound:
        form = DashboardFilterForm(
            initial={"start": f"{period.start:%Y-%m}", "end": f"{period.end:%Y-%m}"}, scopes=choices
        )
    return form, selectors.dashboard(period=period, area=area, scope=scope)


def _plots(board: Dashboard) -> dict[str, str | None]:
    # matplotlib (with NumPy) is imported by the first dashboard a process draws, not by every web
    # process at start: it is about 45 MB that the counters, the courier and tracking never use.
    from partners import plots

    return {
        "uptake": plots.uptake_plot(
            board, title=_("Deliveries as a share of passports issued"), ylabel=_("share (%)")
        ),
        "compliance": plots.compliance_plot(
            board, title=_("Legs done on time and late"), on_time=_("on time"), late=_("late")
        ),
        "failed": plots.failed_plot(board, title=_("Failed attempts by reason")),
        "complaints": plots.complaints_plot(
            board,
            title=_("Complaints by category"),
            answered_in_time=_("within 24 hours"),
            breached=_("over 24 hours"),
        ),
    }


@manager_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, board = _board_from(request)
    return render(
        request,
        "partners/dashboard.html",
        {
            "form": form,
            "board": board,
            "plots": _plots(board),
            "query": request.GET.urlencode(),
        },
    )


def _export_name(board: Dashboard, ext: str) -> str:
    return f"antar-paspor-{board.period.start:%Y%m}-{board.period.end:%Y%m}.{ext}"


@manager_required
def dashboard_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    _form, board = _board_from(request)
    if request.GET.get("table") == "conversion":
        response = HttpResponse(exports.conversion_csv(board), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{_export_name(board, "csv").replace("paspor-", "paspor-konversi-")}"'
        )
        return response
    if request.GET.get("table") == "satisfaction":
        response = HttpResponse(exports.satisfaction_csv(board), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{_export_name(board, "csv").replace("paspor-", "paspor-kepuasan-")}"'
        )
        return response
    if request.GET.get("table") == "money":
        response = HttpResponse(exports.money_csv(board), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{_export_name(board, "csv").replace("paspor-", "paspor-uang-")}"'
        )
        return response
    if request.GET.get("table") == "complaints":
        response = HttpResponse(exports.complaints_csv(board), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{_export_name(board, "csv").replace("paspor-", "paspor-pengaduan-")}"'
        )
        return response
    response = HttpResponse(exports.dashboard_csv(board), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(board, "csv")}"'
    return response


@manager_required
def dashboard_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    _form, board = _board_from(request)
    response = HttpResponse(
        exports.dashboard_xlsx(board),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name(board, "xlsx")}"'
    return response


@manager_required
def dashboard_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The report for an evaluation meeting: the period's figures and plots."""
    from weasyprint import HTML

    _form, board = _board_from(request)
    html = render_to_string(
        "partners/report_pdf.html",
        {
            "board": board,
            "plots": _plots(board),
            "pace": selectors.meeting_pace(),
            "generated": timezone.localtime(),
        },
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    return pdf_response(pdf, _export_name(board, "pdf"), attachment=True)


@manager_required
def uptake_enter(request: AuthenticatedHttpRequest) -> HttpResponse:
    month_form, csv_form, csv_errors = UptakeMonthForm(), UptakeCsvForm(), []
    if request.method == "POST" and "file" in request.FILES:
        csv_form = UptakeCsvForm(request.POST, request.FILES)
        if csv_form.is_valid():
            try:
                result = services.uptake_csv_import(
                    content=csv_form.cleaned_data["file"].read(), actor=request.user
                )
            except DomainError as error:
                csv_form.add_error("file", str(error.message))
            else:
                if result.errors:
                    csv_errors = result.errors
                else:
                    messages.success(request, _("%(n)s months imported.") % {"n": result.imported})
                    return redirect("partners-uptake")
    elif request.method == "POST":
        month_form = UptakeMonthForm(request.POST)
        if month_form.is_valid():
            try:
                row = services.uptake_month_enter(actor=request.user, **month_form.cleaned_data)
            except DomainError as error:
                form_errors_add(month_form, error, sentence="unplaced")
            else:
                messages.success(
                    request,
                    _("Saved: %(issued)s passports issued in %(month)s/%(year)s.")
                    % {"issued": row.issued, "month": row.month, "year": row.year},
                )
                return redirect("partners-uptake")
    return render(
        request,
        "partners/uptake.html",
        {
            "month_form": month_form,
            "csv_form": csv_form,
            "csv_errors": csv_errors,
        },
    )


# Agreements ----------------------------------------------------------------------------------------


@manager_required
def agreement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_errors_add(form, error, sentence="unplaced")
        else:
            messages.success(request, _("Agreement recorded."))
            return redirect("partners-agreement", pk=agreement.pk)
    agreements = Agreement.objects.prefetch_related("parties").all()
    return render(
        request,
        "partners/agreement_list.html",
        {
            "agreements": agreements,
            "in_force": services.agreement_in_force(on=timezone.localdate()),
            "form": form,
        },
    )


@manager_required
def agreement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(Agreement, pk=pk)
    forms: dict[str, Form] = {
        "attachment": AttachmentForm(),
        "consent": ConsentForm(),
        "amendment": AmendmentForm(),
        "article": ArticleForm(),
        "new_obligation": ObligationForm(),
    }
    if request.method == "POST":
        kind = request.POST.get("form")
        form: Form
        try:
            if kind == "attachment":
                forms["attachment"] = form = AttachmentForm(request.POST, request.FILES)
                if form.is_valid():
                    services.agreement_attachment_add(
                        agreement=agreement,
                        title=form.cleaned_data["title"],
                        upload=form.cleaned_data["file"],
                        actor=request.user,
                    )
                    messages.success(request, _("Attachment uploaded."))
                    return redirect("partners-agreement", pk=pk)
            elif kind == "consent":
                forms["consent"] = form = ConsentForm(request.POST)
                if form.is_valid():
                    services.transfer_consent_record(
                        agreement=agreement, actor=request.user, **form.cleaned_data
                    )
                    messages.success(request, _("Written consent recorded."))
                    return redirect("partners-agreement", pk=pk)
            elif kind == "amendment":
                forms["amendment"] = form = AmendmentForm(request.POST)
                if form.is_valid():
                    changes: AgreementChanges = {}
                    if form.cleaned_data["valid_until"]:
                        changes["valid_until"] = form.cleaned_data["valid_until"]
                    services.agreement_amend(
                        agreement_id=agreement.pk,
                        signed_on=form.cleaned_data["signed_on"],
                        summary=form.cleaned_data["summary"],
                        changes=changes,
                        actor=request.user,
                    )
                    messages.success(request, _("Amendment recorded."))
                    return redirect("partners-agreement", pk=pk)
            elif kind == "article":
                forms["article"] = form = ArticleForm(request.POST)
                if form.is_valid():
                    services.agreement_article_add(
                        agreement=agreement, actor=request.user, **form.cleaned_data
                    )
                    messages.success(request, _("Article added."))
                    return redirect("partners-agreement", pk=pk)
            elif kind == "new_obligation":
                forms["new_obligation"] = form = ObligationForm(request.POST)
                if form.is_valid():
                    services.obligation_add(agreement=agreement, actor=request.user, **form.cleaned_data)
                    messages.success(request, _("Obligation added."))
                    return redirect("partners-agreement", pk=pk)
            elif kind == "obligation":
                row = RowForm(request.POST, name="obligation")
                if not row.is_valid():
                    raise Http404
                obligation = get_object_or_404(Obligation, pk=row.row_id, agreement=agreement)
                form = ObligationStatusForm(request.POST)
                if form.is_valid():
                    services.obligation_set_status(
                        obligation_id=obligation.pk, actor=request.user, **form.cleaned_data
                    )
                    messages.success(request, _("Obligation updated."))
                    return redirect("partners-agreement", pk=pk)
                messages.error(request, _("Unknown status."))
        except DomainError as error:
            if kind in forms:
                form_errors_add(forms[kind], error, sentence="unplaced")
            else:
                messages.error(request, str(error.message))
    return render(
        request,
        "partners/agreement_detail.html",
        {
            "agreement": agreement,
            "articles": agreement.articles.all(),
            "obligations": agreement.obligations.select_related("article"),
            "attachments": agreement.attachments.all(),
            "amendments": agreement.amendments.all(),
            "consents": agreement.consents.all(),
            "status_form": ObligationStatusForm(),
            "forms": forms,
        },
    )


# Evaluations ---------------------------------------------------------------------------------------


@manager_required
def evaluation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.evaluation_meeting_save(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_errors_add(form, error, sentence="unplaced")
        else:
            messages.success(request, _("Evaluation meeting saved."))
            return redirect("partners-evaluation", pk=meeting.pk)
    return render(
        request,
        "partners/evaluation_list.html",
        {
            "meetings": EvaluationMeeting.objects.all(),
            "pace": selectors.meeting_pace(today=today),
            "overdue": selectors.overdue_action_items(today=today),
            "form": form,
        },
    )


@manager_required
def evaluation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(EvaluationMeeting, pk=pk)
    existing = {s.indicator: (s.score, s.notes) for s in meeting.scores.all()}
    action_form = ActionItemForm()
    score_form = ScorecardForm(initial_scores=existing)
    meeting_form = MeetingForm(initial={name: getattr(meeting, name) for name in MeetingForm.base_fields})
    if request.method == "POST":
        kind = request.POST.get("form")
        try:
            if kind == "meeting":
                meeting_form = MeetingForm(request.POST)
                if meeting_form.is_valid():
                    services.evaluation_meeting_save(
                        meeting=meeting, actor=request.user, **meeting_form.cleaned_data
                    )
                    messages.success(request, _("Evaluation meeting saved."))
                    return redirect("partners-evaluation", pk=pk)
            elif kind == "action":
                action_form = ActionItemForm(request.POST)
                if action_form.is_valid():
                    services.action_item_add(meeting=meeting, actor=request.user, **action_form.cleaned_data)
                    messages.success(request, _("Action item added."))
                    return redirect("partners-evaluation", pk=pk)
            elif kind == "done":
                row = RowForm(request.POST, name="item")
                if not row.is_valid():
                    raise Http404
                services.action_item_complete(
                    action_item_id=row.row_id, actor=request.user, meeting_id=meeting.pk
                )
                messages.success(request, _("Action item marked done."))
                return redirect("partners-evaluation", pk=pk)
            elif kind == "scores":
                score_form = ScorecardForm(request.POST, initial_scores=existing)
                if score_form.is_valid():
                    services.scorecard_save(meeting=meeting, scores=score_form.scores(), actor=request.user)
                    messages.success(request, _("Scorecard saved."))
                    return redirect("partners-evaluation", pk=pk)
        except DomainError as error:
            forms_by_kind: dict[str | None, Form] = {"scores": score_form, "meeting": meeting_form}
            target = forms_by_kind.get(kind, action_form)
            form_errors_add(target, error, prefix="score_" if kind == "scores" else "", sentence="unplaced")
    scores = [(label, existing.get(value)) for value, label in Indicator.choices]
    return render(
        request,
        "partners/evaluation_detail.html",
        {
            "meeting": meeting,
            "items": meeting.action_items.all(),
            "scores": scores,
            "satisfaction": selectors.meeting_satisfaction(meeting=meeting),
            "action_form": action_form,
            "score_form": score_form,
            "meeting_form": meeting_form,
            "today": timezone.localdate(),
        },
    )


# Disputes (article 14) -----------------------------------------------------------------------------


@manager_required
def dispute_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DisputeForm(request.POST or None)
    agreement = services.agreement_in_force(on=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        if agreement is None:
            form.add_error(None, _("No agreement is in force."))
        else:
            try:
                dispute = services.dispute_open(agreement=agreement, actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form_errors_add(form, error, sentence="unplaced")
            else:
                messages.success(request, _("Dispute opened."))
                return redirect("partners-dispute", pk=dispute.pk)
    return render(
        request,
        "partners/dispute_list.html",
        {
            "disputes": Dispute.objects.select_related("agreement"),
            "form": form,
        },
    )


@manager_required
def dispute_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dispute = get_object_or_404(Dispute, pk=pk)
    note_form, consensus_form = NoteForm(), ConsensusForm()
    if request.method == "POST":
        kind = request.POST.get("form")
        try:
            if kind == "note":
                note_form = NoteForm(request.POST)
                if note_form.is_valid():
                    services.dispute_add_note(
                        dispute_id=dispute.pk, text=note_form.cleaned_data["text"], actor=request.user
                    )
                    return redirect("partners-dispute", pk=pk)
            elif kind == "consensus":
                consensus_form = ConsensusForm(request.POST)
                if consensus_form.is_valid():
                    services.dispute_record_consensus(
                        dispute_id=dispute.pk, actor=request.user, **consensus_form.cleaned_data
                    )
                    messages.success(request, _("Consensus recorded."))
                    return redirect("partners-dispute", pk=pk)
            elif kind == "close":
                services.dispute_close(dispute_id=dispute.pk, actor=request.user)
                messages.success(request, _("Dispute closed."))
                return redirect("partners-dispute", pk=pk)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("partners-dispute", pk=pk)
    return render(
        request,
        "partners/dispute_detail.html",
        {
            "dispute": dispute,
            "notes": dispute.notes.select_related("author"),
            "note_form": note_form,
            "consensus_form": consensus_form,
        },
    )


@manager_required
def dispute_close_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    dispute = get_object_or_404(Dispute, pk=pk)
    return render(request, "partners/dispute_close.html", {"dispute": dispute})
