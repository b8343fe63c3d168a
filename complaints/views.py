"""Complaint pages: filing (anyone), the complainant's thread behind the secret link, and the
complaints queue of the routed office's staff. Every write goes through ``complaints.services``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.http import AuthenticatedHttpRequest
from complaints import services as svc
from complaints.choices import ComplaintStatus
from complaints.forms import ComplaintForm, ComplaintReplyForm
from complaints.models import Complaint
from complaints.permissions import is_complaint_handler
from core.exceptions import DomainError, NotFound
from core.forms import form_errors_add
from core.lookups import TooManyAttempts
from core.middleware import client_ip
from delivery.manage.access import grant_holds
from delivery.models import DeliveryOrder

P = ParamSpec("P")


def _read_photo(upload: UploadedFile | None) -> bytes | None:
    if upload is None:
        return None
    # Read one byte past the limit: enough to refuse a larger file without holding all of it.
    return upload.read(settings.COMPLAINT_PHOTO_MAX_BYTES + 1)


@never_cache
def complaint_new(request: HttpRequest) -> HttpResponse:
    form = ComplaintForm(
        request.POST or None,
        request.FILES or None,
        initial={"tracking_code": request.GET.get("code", "")[:12]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opened = svc.complaint_open(
                category=data["category"],
                text=data["text"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                tracking_code=data["tracking_code"],
                client=client_ip(request),
                photo=_read_photo(data["photo"]),
                filed_by=request.user,
                language=get_language() or "id",
            )
        except DomainError as error:
            form_errors_add(form, error, sentence="unplaced")
        else:
            messages.success(
                request,
                _(
                    "Your complaint was received. Your ticket number is %(ticket)s. Keep this page's address: "
                    "it is your link to the answers."
                )
                % {"ticket": opened.complaint.ticket},
            )
            return redirect("complaint-thread", ticket=opened.complaint.ticket, secret=opened.secret)
    return render(
        request,
        "complaints/new.html",
        {
            "form": form,
            "hours": settings.COMPLAINT_FIRST_RESPONSE_HOURS,
        },
    )


def _thread_context(complaint: Complaint, **extra: object) -> dict[str, object]:
    return {
        "complaint": complaint,
        "thread": complaint.messages.select_related("author__office"),
        "overdue": svc.is_overdue(complaint),
        "now": timezone.now(),
        **extra,
    }


def _complaint_from_link(request: HttpRequest, ticket: str, secret: str) -> Complaint | HttpResponse:
    """The complaint of a complainant's link, or the page that refuses it: 404 for a wrong link, 429
    while the lookup lock holds (``core.lookups``)."""
    try:
        return svc.complaint_by_secret(ticket=ticket, secret=secret, client=client_ip(request))
    except NotFound:
        raise Http404 from None
    except TooManyAttempts as error:
        return render(
            request,
            "portal/refused.html",
            {
                "title": _("Please wait"),
                "message": error.message,
            },
            status=429,
        )


@never_cache
def complaint_thread(request: HttpRequest, ticket: str, secret: str) -> HttpResponse:
    """The complainant's page: status, the thread, and a reply while the complaint is open."""
    complaint = _complaint_from_link(request, ticket, secret)
    if isinstance(complaint, HttpResponse):
        return complaint
    form = ComplaintReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.complaint_reply_by_complainant(complaint_id=complaint.pk, text=form.cleaned_data["text"])
        except DomainError as error:
            form_errors_add(form, error, sentence="unplaced")
        else:
            messages.success(request, _("Your message was added."))
            return redirect("complaint-thread", ticket=complaint.ticket, secret=secret)
    return render(
        request,
        "complaints/thread.html",
        _thread_context(
            complaint,
            form=form,
            secret=secret,
            link=request.build_absolute_uri(),
        ),
    )


def _photo_response(complaint: Complaint) -> FileResponse:
    if not complaint.photo:
        raise Http404
    response = FileResponse(
        complaint.photo.open("rb"), content_type=complaint.photo_type or "application/octet-stream"
    )
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    # Never rendered as a page: no scripts, no plugins, nothing loaded from it.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def complaint_photo_public(request: HttpRequest, ticket: str, secret: str) -> HttpResponseBase:
    complaint = _complaint_from_link(request, ticket, secret)
    if isinstance(complaint, HttpResponse):
        return complaint
    return _photo_response(complaint)


def handler_required(
    view: Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponseBase],
) -> Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponseBase]:
    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not is_complaint_handler(request.user):
            messages.error(request, _("The complaints queue is for the staff of Imigrasi and PT Pos."))
            return redirect("home")
        return view(request, *args, **kwargs)

    return wrapper


@handler_required
def complaint_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "active")
    complaints = svc.complaints_for_staff(request.user)
    if status == "active":
        complaints = complaints.exclude(status=ComplaintStatus.CLOSED)
    elif status in ComplaintStatus.values:
        complaints = complaints.filter(status=status)
    else:
        status = "all"
    now = timezone.now()
    rows = [(c, svc.is_overdue(c, now=now)) for c in complaints.order_by("first_response_due_at", "pk")[:200]]
    return render(
        request,
        "complaints/queue.html",
        {
            "rows": rows,
            "status": status,
            "statuses": ComplaintStatus.choices,
            "overdue_count": sum(1 for _c, late in rows if late),
        },
    )


@handler_required
def complaint_staff_detail(request: AuthenticatedHttpRequest, ticket: str) -> HttpResponse:
    try:
        complaint = svc.complaint_for_staff(request.user, ticket)
    except NotFound:
        raise Http404 from None
    form = ComplaintReplyForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("form") == "close":
            try:
                svc.complaint_close(complaint_id=complaint.pk, actor=request.user)
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("The complaint was closed."))
            return redirect("complaint-staff-detail", ticket=complaint.ticket)
        if form.is_valid():
            try:
                svc.complaint_reply_by_staff(
                    complaint_id=complaint.pk, actor=request.user, text=form.cleaned_data["text"]
                )
            except DomainError as error:
                form_errors_add(form, error, sentence="unplaced")
            else:
                messages.success(request, _("Your reply was sent to the complainant."))
                return redirect("complaint-staff-detail", ticket=complaint.ticket)
    return render(request, "complaints/staff_detail.html", _thread_context(complaint, form=form))


@handler_required
def complaint_close_confirm(request: AuthenticatedHttpRequest, ticket: str) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    try:
        complaint = svc.complaint_for_staff(request.user, ticket)
    except NotFound:
        raise Http404 from None
    return render(request, "complaints/close.html", {"complaint": complaint})


@handler_required
def complaint_photo_staff(request: AuthenticatedHttpRequest, ticket: str) -> FileResponse:
    try:
        complaint = svc.complaint_for_staff(request.user, ticket)
    except NotFound:
        raise Http404 from None
    return _photo_response(complaint)


@never_cache
def complaint_order_list(request: HttpRequest, code: str) -> HttpResponse:
    """The complaints about one delivery, for the applicant in "manage my delivery" (the one-time
    code passed): each opens its thread, where the applicant reads and answers."""
    order = DeliveryOrder.objects.filter(code=code).first()
    if order is None or not grant_holds(request.session, order):
        return redirect("manage-home", code=code) if order is not None else redirect("track")
    complaints = [
        (complaint, svc.complaint_link(complaint))
        for complaint in Complaint.objects.filter(order=order).order_by("-filed_at")
    ]
    return render(request, "complaints/order.html", {"order": order, "complaints": complaints})
