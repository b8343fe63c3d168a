"""Pages of the counters: Imigrasi (steps 1, 2, 4, 5) and the Pos service section (steps 3 to 6).

Each view checks the role, validates the form and calls one service; refusals are shown as the
service's message and change nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TypedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.choices import Role
from accounts.http import AuthenticatedHttpRequest
from accounts.models import PersonalDataAccess, User
from core.exceptions import DomainError
from core.fields import ascii_digits
from core.files import pdf_response
from core.forms import form_errors_add
from delivery.booking.forms import DeliveryWindowForm, area_from_form_data, window_errors_add
from delivery.booking.group_members import members_waiting_signature
from delivery.booking.invitation import delivery_invitation
from delivery.choices import NotificationChannel
from delivery.counter import booking as counter_booking
from delivery.counter import documents
from delivery.counter import handover as counter_handover
from delivery.counter import manifest as counter_manifest
from delivery.counter import ready as counter_ready
from delivery.counter import selectors as sel
from delivery.counter import van as counter_van
from delivery.counter.batches import ItemReport, batch_acknowledge, batch_release
from delivery.counter.forms import (
    ApplicationForm,
    BatchReportForm,
    BookForm,
    ConfirmForm,
    DossierRefuseForm,
    PayForm,
    SelectionForm,
    VanStandbyForm,
)
from delivery.handoff.deadlines import WITA
from delivery.handoff.selectors import orders_visible_to
from delivery.models import BatchItemStatus, BatchStatus, DeliveryOrder, ManifestStatus
from delivery.permissions import (
    IMIGRASI,
    POS,
    SUPERVISORS,
    is_imigrasi_officer,
    is_pos_service_officer,
    may_acknowledge_batch,
    may_record_van_standby,
    roles,
)
from delivery.privacy.services import (
    nik_for_viewer,
    personal_data_access_record,
    personal_data_access_record_many,
)
from organisations.models import Office
from organisations.offices import pos_office_serving
from passports import services as passport_services
from passports.models import PaymentRequest


@roles(Role.IMIGRASI_OFFICER, Role.POS_SERVICE_OFFICER)
def counter_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, object] = {}
    if is_imigrasi_officer(user):
        context["applications"] = sel.applications_of_office(user).order_by("-created_at")[:20]
        context["ready_count"] = sel.ready_for_release(user).count()
    else:
        context["booked_count"] = sel.booked_for_manifest(user).count()
        context["awaiting"] = list(sel.batches_awaiting_acknowledgement(user))
    context["batches"] = sel.batches_visible_to(user)[:10]
    context["manifests"] = sel.manifests_visible_to(user)[:10]
    # Dossiers in handover: handed by Pos, not yet acknowledged by Imigrasi (both sides see them).
    in_handover = list(sel.manifests_in_handover(user))
    context["manifests_in_handover"] = in_handover
    context["dossiers_in_handover"] = sum(m.waiting_count for m in in_handover)  # type: ignore[attr-defined]
    return render(request, "counter/home.html", context)


# The selection pages (manifest, release batch, mark ready, manifest receipt): nothing is ticked
# for the officer, and before anything is done they see how many they ticked and which: with JS a
# live count and list and a confirmation dialog, without it a confirmation step listing them.


class Picked(TypedDict):
    """One ticked row on the confirmation step, with the inputs that carry it to the last submit."""

    code: str
    label: str
    hidden: list[tuple[str, str]]


def _selection_step(request: AuthenticatedHttpRequest, form: SelectionForm) -> str:
    """What a request to a selection page asks: "show" the page (a GET, or "Change the selection"),
    "confirm" (a first submit: show the count and the list) or "do" (confirmed)."""
    if request.method != "POST" or "back" in request.POST:
        return "show"
    if form.is_valid() and form.cleaned_data["confirm"]:
        return "do"
    return "confirm"


def _picked_orders(orders: list[DeliveryOrder], field: str, by: str = "pk") -> list[Picked]:
    """The ticked orders, each carried by its id (``by="pk"``) or its tracking code in ``field``."""
    return [
        {
            "code": order.code,
            "label": f"{order.application.applicant.full_name} · {order.area.name}",
            "hidden": [(field, str(order.pk) if by == "pk" else order.code)],
        }
        for order in orders
    ]


# Steps 1 and 2: Imigrasi records the application and issues the billing code.


@roles(*IMIGRASI)
@require_http_methods(["GET", "POST"])
def application_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ApplicationForm(request.POST or None, initial={"submission_key": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            billing = passport_services.counter_application_register(
                actor=request.user,
                full_name=data["full_name"],
                birth_place=data["birth_place"],
                birth_date=data["birth_date"],
                address=data["address"],
                phone=data["phone"],
                nik=data["nik"],
                sim_number=data["sim_number"],
                email=data["email"],
                passport_type=data["passport_type"],
                is_minor=data["is_minor"],
                requirements=data["requirements"],
                submission_key=data["submission_key"],
            )
        except DomainError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Billing code %(code)s issued.") % {"code": billing.code})
            return redirect("counter-application", pk=billing.application_id)
    return render(
        request,
        "counter/application_new.html",
        {
            "form": form,
            "adult": passport_services.REQUIREMENTS_ADULT,
            "minor": passport_services.REQUIREMENTS_MINOR,
        },
    )


@roles(Role.IMIGRASI_OFFICER, Role.POS_SERVICE_OFFICER)
def application_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = sel.application_for_counter(request.user, pk)
    if application is None:
        raise Http404
    billing = getattr(application, "billing_code", None)
    order = DeliveryOrder.objects.filter(application=application).first()
    invitation = delivery_invitation(billing_code=billing.code) if billing and order is None else None
    personal_data_access_record(
        user=request.user,
        applicant_id=application.applicant_id,
        what=PersonalDataAccess.What.APPLICATION_DETAIL,
        reference=f"application:{pk}",
    )
    return render(
        request,
        "counter/application_detail.html",
        {
            "application": application,
            "billing": billing,
            "order": order,
            "nik_shown": nik_for_viewer(user=request.user, nik=application.applicant.nik, full_view=True),
            "payment": getattr(billing, "payment", None) if billing else None,
            "qr": documents.qr_data_uri(billing.code) if billing else None,
            "expires_local": billing.expires_at.astimezone(WITA) if billing else None,
            "invitation": invitation,
            "invitation_qr": documents.qr_data_uri(invitation.booking_url) if invitation else None,
        },
    )


# Step 3: the Pos counter takes payment (asynchronous), books delivery and takes the fee.


@roles(Role.POS_SERVICE_OFFICER, Role.IMIGRASI_OFFICER)
@require_http_methods(["GET", "POST"])
def pay(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PayForm(request.POST or None, initial={"billing_code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            payment_request = passport_services.payment_request_open(
                billing_code=form.cleaned_data["billing_code"], actor=request.user
            )
        except DomainError as error:
            form_errors_add(form, error)
        else:
            return redirect("counter-payment", pk=payment_request.pk)
    return render(request, "counter/pay.html", {"form": form})


def _payment_request(request: AuthenticatedHttpRequest, pk: int) -> PaymentRequest:
    """A payment request taken at the user's own office."""
    return get_object_or_404(
        PaymentRequest.objects.select_related(
            "billing_code__application__applicant", "billing_code__payment"
        ),
        pk=pk,
        requested_by__office_id=request.user.office_id,
    )


class PaymentState(TypedDict):
    """The payment page's state, polled as JSON while MPN G-2 confirms."""

    status: str
    status_label: str
    ntpn: str
    error: str
    book_url: str


def _payment_state(payment_request: PaymentRequest) -> PaymentState:
    billing = payment_request.billing_code
    payment = getattr(billing, "payment", None)
    return {
        "status": payment_request.status,
        "status_label": str(payment_request.get_status_display()),
        "ntpn": payment.ntpn if payment else "",
        "error": payment_request.error,
        "book_url": (
            f"/counter/applications/{billing.application_id}/book/"
            if payment_request.status == PaymentRequest.Status.CONFIRMED
            else ""
        ),
    }


@roles(Role.POS_SERVICE_OFFICER, Role.IMIGRASI_OFFICER)
def payment_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    payment_request = _payment_request(request, pk)
    return render(
        request,
        "counter/payment.html",
        {
            "payment_request": payment_request,
            "billing": payment_request.billing_code,
            "state": _payment_state(payment_request),
        },
    )


@roles(Role.POS_SERVICE_OFFICER, Role.IMIGRASI_OFFICER)
def payment_status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(_payment_state(_payment_request(request, pk)))


@roles(Role.POS_SERVICE_OFFICER, Role.IMIGRASI_OFFICER)
@require_http_methods(["GET", "POST"])
def book(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = sel.application_for_counter(request.user, pk)
    if application is None:
        raise Http404
    existing = DeliveryOrder.objects.filter(application=application).first()
    if existing is not None:
        messages.info(
            request, _("Delivery is already booked for this passport (%(code)s).") % {"code": existing.code}
        )
        return redirect("order-detail", code=existing.code)
    user = request.user
    pos_office = counter_pos_office(user)
    initial = {
        "address": application.applicant.address,
        "recipient_phone": application.applicant.phone,
        "recipient_email": application.applicant.email,
        "poa_grantee_place": pos_office.name if pos_office else "",
        # SMS, and e-mail only for an applicant whose address is on file (an empty address with
        # e-mail ticked is refused): the clerk should not have to untick it for most walk-ins.
        "news_channels": [NotificationChannel.SMS]
        + ([NotificationChannel.EMAIL] if application.applicant.email else []),
    }
    if is_pos_service_officer(user):
        # The logged-in Pos officer is the grantee of the power of attorney (still editable).
        initial["poa_grantee_name"] = user.get_full_name()
        initial["poa_grantee_nippos"] = user.nippos
    showing_windows = request.method == "POST" and "show_windows" in request.POST
    if showing_windows:
        # "Show delivery days": the same details again, with the chosen area's free windows.
        form = BookForm(initial={**initial, **request.POST.dict()})
        window_form = DeliveryWindowForm(area=area_from_form_data(request.POST))
    else:
        form = BookForm(request.POST or None, initial=initial)
        window_form = DeliveryWindowForm(request.POST or None, area=area_from_form_data(request.POST))
    if request.method == "POST" and not showing_windows and form.is_valid() and window_form.is_valid():
        data = form.cleaned_data
        delivery_date, window_id = window_form.slot()
        try:
            order = counter_booking.counter_delivery_book(
                actor=user,
                application=application,
                pos_office=pos_office,
                destination_kind=data["destination_kind"],
                address=data["address"],
                area=data["area"],
                recipient_phone=data["recipient_phone"],
                recipient_email=data["recipient_email"],
                poa_grantee_name=data["poa_grantee_name"],
                poa_grantee_nippos=data["poa_grantee_nippos"],
                poa_grantee_place=data["poa_grantee_place"],
                fee_received=data["fee_received"],
                delivery_date=delivery_date,
                window_id=window_id,
                news_channels=data["news_channels"],
            )
        except DomainError as error:
            form_errors_add(form, error, skip=("window", "delivery_date"))
            window_errors_add(window_form, error)
        else:
            messages.success(
                request, _("Delivery booked: %(code)s. Print the dossier receipt.") % {"code": order.code}
            )
            return redirect("order-detail", code=order.code)
    return render(
        request,
        "counter/book.html",
        {"form": form, "window_form": window_form, "application": application},
    )


def counter_pos_office(user: User) -> Office | None:
    """The Pos office that takes the booking: the officer's own, or at Imigrasi's one-door desk the
    Pos office that serves it."""
    if is_pos_service_officer(user):
        return user.office
    return pos_office_serving(user.office_id)


@login_required
def order_document(request: AuthenticatedHttpRequest, code: str, kind: str) -> HttpResponse:
    order = get_object_or_404(orders_visible_to(request.user).select_related("application"), code=code)
    if kind in ("receipt", "power-of-attorney"):
        personal_data_access_record(
            user=request.user,
            applicant_id=order.application.applicant_id,
            what=PersonalDataAccess.What.EXPORT,
            reference=f"{kind}:{order.code}",
        )
    if kind == "receipt":
        return pdf_response(documents.dossier_receipt_pdf(order=order), f"tanda-terima-{order.code}.pdf")
    if kind == "power-of-attorney":
        return pdf_response(documents.power_of_attorney_pdf(order=order), f"surat-kuasa-{order.code}.pdf")
    raise Http404


# Step 4: Pos hands the day's dossiers to Imigrasi with a manifest.


@roles(*POS)
@require_http_methods(["GET", "POST"])
def manifest_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    orders = list(sel.booked_for_manifest(request.user).select_related("application__applicant", "area"))
    form = SelectionForm(request.POST or None)
    # Nothing is ticked for the officer: each dossier handed over is one they checked and ticked.
    chosen = request.POST.getlist("orders") if request.method == "POST" else []
    step = _selection_step(request, form)
    picked = _picked_orders([order for order in orders if str(order.pk) in chosen], "orders")
    if step == "confirm" and not picked:
        form.add_error(None, _("Choose at least one dossier."))
    elif step == "confirm":
        return render(
            request,
            "counter/manifest_new.html",
            {
                "picked": picked,
                "confirm_heading": _("Hand these %(count)s dossiers to Imigrasi?") % {"count": len(picked)},
                "confirm_button": _("Hand over %(count)s dossiers and make the manifest")
                % {"count": len(picked)},
            },
        )
    if step == "do":
        try:
            manifest = counter_manifest.manifest_hand_over(
                actor=request.user, order_ids=[int(pk) for pk in chosen if ascii_digits(pk)]
            )
        except DomainError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                _("Dossiers handed to Imigrasi with manifest %(number)s.") % {"number": manifest.number},
            )
            return redirect("counter-manifest", pk=manifest.pk)
    waiting = members_waiting_signature(order.pk for order in orders)
    return render(
        request,
        "counter/manifest_new.html",
        {"orders": orders, "form": form, "chosen": chosen, "waiting": waiting},
    )


@roles(Role.POS_SERVICE_OFFICER, Role.IMIGRASI_OFFICER, *SUPERVISORS)
@require_http_methods(["GET", "POST"])
def manifest_detail(request: AuthenticatedHttpRequest, pk: int, fmt: str = "") -> HttpResponse:
    manifest = get_object_or_404(sel.manifests_visible_to(request.user), pk=pk)
    if fmt not in ("", "pdf", "csv") or (fmt and request.method == "POST"):
        raise Http404
    if fmt in ("pdf", "csv"):
        personal_data_access_record_many(
            user=request.user,
            what=PersonalDataAccess.What.EXPORT,
            reference=f"manifest-{fmt}:{manifest.number}",
            applicant_ids=manifest.orders.values_list("application__applicant_id", flat=True),
        )
    if fmt == "pdf":
        return pdf_response(documents.manifest_pdf(manifest=manifest), f"manifes-{manifest.number}.pdf")
    if fmt == "csv":
        response = HttpResponse(
            documents.manifest_csv(manifest=manifest), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="manifes-{manifest.number}.csv"'
        return response
    items = list(
        manifest.items.select_related(
            "order__application__applicant", "order__area", "received_by", "refused_by"
        ).order_by("pk")
    )
    may_acknowledge = (
        is_imigrasi_officer(request.user)
        and manifest.imigrasi_office_id == request.user.office_id
        and manifest.status == ManifestStatus.IN_HANDOVER
    )
    form = SelectionForm(request.POST or None)
    chosen = [c.strip().upper() for c in request.POST.getlist("codes")] if request.method == "POST" else []
    chosen += request.POST.get("scan", "").upper().split() if request.method == "POST" else []
    step = _selection_step(request, form) if may_acknowledge else "show"
    if request.method == "POST" and not may_acknowledge:
        messages.error(request, _("Only the Imigrasi office this manifest was handed to acknowledges it."))
        return redirect("counter-manifest", pk=manifest.pk)
    by_code = {item.order.code: item for item in items}
    if step == "confirm" and not chosen:
        form.add_error(None, _("Scan or tick at least one dossier."))
    elif step == "confirm":
        picked: list[Picked] = [
            {
                "code": code,
                "label": by_code[code].order.application.applicant.full_name
                if code in by_code
                else str(_("not on this manifest")),
                "hidden": [("codes", code)],
            }
            for code in dict.fromkeys(chosen)
        ]
        return render(
            request,
            "counter/manifest_detail.html",
            {
                "manifest": manifest,
                "picked": picked,
                "confirm_heading": _("Acknowledge receipt of these %(count)s dossiers?")
                % {"count": len(picked)},
                "confirm_button": _("Acknowledge %(count)s dossiers received") % {"count": len(picked)},
            },
        )
    if step == "do":
        try:
            received = counter_manifest.manifest_acknowledge(
                actor=request.user, manifest_id=manifest.pk, codes=chosen
            )
        except DomainError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                _("%(count)s dossiers acknowledged as received.") % {"count": len(received)}
                if received
                else _("These dossiers were already acknowledged; nothing changed."),
            )
            return redirect("counter-manifest", pk=manifest.pk)
    counts = {
        "received": sum(1 for item in items if item.received_at is not None),
        "refused": sum(1 for item in items if item.refused_at is not None),
        "waiting": sum(1 for item in items if item.waiting),
    }
    return render(
        request,
        "counter/manifest_detail.html",
        {
            "manifest": manifest,
            "items": items,
            "counts": counts,
            "form": form,
            "chosen": set(chosen),
            "may_acknowledge": may_acknowledge,
        },
    )


# Between steps 4 and 5: Imigrasi marks the printed passports ready, a stack at a time.


class ReadyRow(TypedDict):
    order: DeliveryOrder
    checked: bool
    number: str


@roles(*IMIGRASI)
@require_http_methods(["GET", "POST"])
def ready_mark(request: AuthenticatedHttpRequest) -> HttpResponse:
    orders = list(sel.handed_for_printing(request.user))
    form = SelectionForm(request.POST or None)
    chosen = request.POST.getlist("orders") if request.method == "POST" else []
    rows: list[ReadyRow] = [
        {
            "order": order,
            "checked": str(order.pk) in chosen,
            "number": request.POST.get(f"passport_{order.pk}", "") if request.method == "POST" else "",
        }
        for order in orders
    ]
    step = _selection_step(request, form)
    if step == "confirm" and not any(row["checked"] for row in rows):
        form.add_error(None, _("Choose at least one passport."))
    elif step == "confirm":
        picked: list[Picked] = [
            {
                "code": row["order"].code,
                "label": f"{row['order'].application.applicant.full_name} · "
                + (
                    str(_("passport %(number)s") % {"number": row["number"].strip()})
                    if row["number"].strip()
                    else str(_("no passport number entered"))
                ),
                "hidden": [("orders", str(row["order"].pk)), (f"passport_{row['order'].pk}", row["number"])],
            }
            for row in rows
            if row["checked"]
        ]
        return render(
            request,
            "counter/ready_mark.html",
            {
                "picked": picked,
                "confirm_heading": _("Mark these %(count)s passports ready?") % {"count": len(picked)},
                "confirm_button": _("Mark %(count)s passports ready") % {"count": len(picked)},
            },
        )
    if step == "do":
        passports = {int(pk): request.POST.get(f"passport_{pk}", "") for pk in chosen if ascii_digits(pk)}
        try:
            count = counter_ready.passports_mark_ready(actor=request.user, passports=passports)
        except DomainError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                _("%(count)s passports marked ready; release them to Pos in a batch.") % {"count": count},
            )
            return redirect("counter-batch-new")
    return render(request, "counter/ready_mark.html", {"rows": rows, "form": form})


# Step 5: Imigrasi releases a batch, Pos acknowledges it.


@roles(*IMIGRASI)
@require_http_methods(["GET", "POST"])
def batch_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    orders = list(sel.ready_for_release(request.user).select_related("application__applicant", "area"))
    form = SelectionForm(request.POST or None)
    chosen = request.POST.getlist("codes") if request.method == "POST" else []
    scanned = request.POST.get("scan", "").split() if request.method == "POST" else []
    wanted = list(dict.fromkeys(c.strip().upper() for c in chosen + scanned if c.strip()))
    step = _selection_step(request, form)
    if step == "confirm" and not wanted:
        form.add_error(None, _("Select or scan at least one passport."))
    elif step == "confirm":
        by_code = {order.code: order for order in orders}
        picked: list[Picked] = [
            _picked_orders([by_code[code]], "codes", by="code")[0]
            if code in by_code
            else {"code": code, "label": str(_("not ready for release here")), "hidden": [("codes", code)]}
            for code in wanted
        ]
        return render(
            request,
            "counter/batch_new.html",
            {
                "picked": picked,
                "confirm_heading": _("Release these %(count)s passports to Pos in one batch?")
                % {"count": len(picked)},
                "confirm_button": _("Release %(count)s passports and print the letters")
                % {"count": len(picked)},
            },
        )
    if step == "do":
        try:
            batch = batch_release(actor=request.user, codes=wanted)
        except DomainError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                _("Batch %(number)s released to Pos; it is in handover until Pos acknowledges it.")
                % {"number": batch.number},
            )
            return redirect("counter-batch", pk=batch.pk)
    return render(
        request,
        "counter/batch_new.html",
        {"orders": orders, "form": form, "chosen": set(wanted)},
    )


@roles(Role.POS_SERVICE_OFFICER, Role.IMIGRASI_OFFICER, *SUPERVISORS)
@require_http_methods(["GET", "POST"])
def batch_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The batch and each passport's state for both agencies; for the receiving Pos officer, while
    the batch is in handover, acknowledging passports (ticked or scanned) and reporting one."""
    batch = get_object_or_404(sel.batches_visible_to(request.user), pk=pk)
    items = list(
        batch.items.select_related("order__application__applicant", "order__area", "acted_by", "lost_case")
    )
    waiting = [item.order.code for item in items if item.status == BatchItemStatus.IN_HANDOVER]
    posted = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if posted is not None else None
    form = ConfirmForm(posted if action == "acknowledge" else None)
    report_form = BatchReportForm(posted if action == "report" else None, codes=waiting, prefix="report")
    chosen = request.POST.getlist("codes") if action == "acknowledge" else []
    scanned = request.POST.get("scan", "").split() if action == "acknowledge" else []
    picked = sorted({c.strip().upper() for c in chosen + scanned if c.strip()})
    if action == "acknowledge" and form.is_valid():
        try:
            acts = batch_acknowledge(actor=request.user, batch_id=batch.pk, codes=picked)
        except DomainError as error:
            form_errors_add(form, error)
        else:
            _acknowledged_say(request, acts.received, acts.unchanged)
            if acts.received and acts.batch.status != BatchStatus.IN_HANDOVER:
                messages.success(request, _("Batch %(number)s is complete.") % {"number": acts.batch.number})
            return redirect("counter-batch", pk=batch.pk)
    if action == "report" and report_form.is_valid():
        data = report_form.cleaned_data
        try:
            acts = batch_acknowledge(
                actor=request.user,
                batch_id=batch.pk,
                codes=[],
                reports=[ItemReport(code=data["code"], kind=data["kind"], report=data["report"])],
            )
        except DomainError as error:
            form_errors_add(report_form, error)
        else:
            messages.success(
                request,
                _("Passport %(code)s reported; lost passport case %(case)s is open.")
                % {"code": data["code"], "case": ", ".join(acts.cases)},
            )
            return redirect("counter-batch", pk=batch.pk)
    may_act = may_acknowledge_batch(request.user, batch) and batch.status == BatchStatus.IN_HANDOVER
    return render(
        request,
        "counter/batch_detail.html",
        {
            "batch": batch,
            "items": items,
            "waiting_count": len(waiting),
            "waiting_items": [item for item in items if item.status == BatchItemStatus.IN_HANDOVER],
            "form": form,
            "report_form": report_form,
            "may_acknowledge": may_act and bool(waiting),
            "chosen": picked,
        },
    )


def _acknowledged_say(request: AuthenticatedHttpRequest, received: list[str], unchanged: list[str]) -> None:
    if received:
        messages.success(
            request,
            _("Received by the Pos service section: %(codes)s.") % {"codes": ", ".join(received)},
        )
    if unchanged:
        messages.warning(
            request,
            _("Already received before, nothing changed: %(codes)s.") % {"codes": ", ".join(unchanged)},
        )


@roles(Role.POS_SERVICE_OFFICER, Role.IMIGRASI_OFFICER, *SUPERVISORS)
def batch_letter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(sel.batches_visible_to(request.user), pk=pk)
    personal_data_access_record_many(
        user=request.user,
        what=PersonalDataAccess.What.EXPORT,
        reference=f"batch-letter:{batch.number}",
        applicant_ids=[
            item.order.application.applicant_id for item in batch.items.select_related("order__application")
        ],
    )
    return pdf_response(documents.batch_letter_pdf(batch=batch), f"surat-tugas-{batch.number}.pdf")


# The van standby log and the supervisors' problems queue.


@roles(Role.POS_SERVICE_OFFICER, *SUPERVISORS)
@require_http_methods(["GET", "POST"])
def van_standby(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = VanStandbyForm(request.POST or None)
    if request.method == "POST" and may_record_van_standby(request.user) and form.is_valid():
        today = timezone.now().astimezone(WITA).date()
        arrived = dt.datetime.combine(today, form.cleaned_data["arrived_at"], tzinfo=WITA)
        try:
            row = counter_van.van_standby_record(actor=request.user, arrived_at=arrived)
        except DomainError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                _("Arrival recorded: %(minutes)s minutes late.") % {"minutes": row.minutes_late}
                if row.minutes_late
                else _("Arrival recorded: on time."),
            )
            return redirect("counter-van")
    rows = sel.van_standby_visible_to(request.user).order_by("-day")[:30]
    return render(request, "counter/van.html", {"form": form, "rows": rows})


@roles(*IMIGRASI)
@require_http_methods(["GET", "POST"])
def dossier_refuse(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    order = get_object_or_404(orders_visible_to(request.user), code=code)
    form = DossierRefuseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            counter_manifest.dossier_refuse(
                actor=request.user,
                order_id=order.pk,
                missing_items=form.cleaned_data["missing_items"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Dossier of %(code)s sent back to Pos.") % {"code": order.code})
            return redirect("order-detail", code=order.code)
    return render(request, "counter/dossier_refuse.html", {"order": order, "form": form})


class HandoverRow(TypedDict):
    """One received passport on the step 6 page: the courier chosen (or suggested) and its tick."""

    order: DeliveryOrder
    chosen: int | None
    ticked: bool


@roles(*POS)
@require_http_methods(["GET", "POST"])
def delivery_handover(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 6 for the day's received passports at once, couriers suggested by area."""
    from delivery.choices import DeliveryStatus
    from delivery.models import Courier

    user = request.user
    orders = list(
        orders_visible_to(user)
        .filter(pos_office_id=user.office_id, status=DeliveryStatus.RECEIVED_BY_POS)
        .order_by("area__name", "pk")
    )
    couriers = (
        list(Courier.objects.filter(office_id=user.office_id, active=True).order_by("name"))
        if user.office_id is not None
        else []  # couriers belong to an office
    )
    form = ConfirmForm(request.POST or None)
    rows: list[HandoverRow] = []
    for order in orders:
        posted = request.POST.get(f"courier-{order.pk}", "")
        chosen: int | None
        if ascii_digits(posted):
            chosen = int(posted)
        else:
            suggested = order.courier or counter_handover.suggested_courier(order)
            chosen = suggested.pk if suggested is not None else None
        rows.append(
            {
                "order": order,
                "chosen": chosen,
                "ticked": (request.method == "GET" or str(order.pk) in request.POST.getlist("orders")),
            }
        )
    if request.method == "POST" and form.is_valid():
        assignments: dict[int, int] = {}
        for row in rows:
            if row["ticked"] and row["chosen"]:
                assignments[row["order"].pk] = row["chosen"]
        try:
            count = counter_handover.delivery_section_hand_over(actor=user, assignments=assignments)
        except DomainError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request, _("%(count)s passports handed to the delivery section.") % {"count": count}
            )
            return redirect("counter-handover")
    return render(request, "counter/handover.html", {"rows": rows, "couriers": couriers, "form": form})
