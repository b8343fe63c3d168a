"""The courier app (a phone, often offline) and the dispatcher's live board of every run."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedHttpRequest
from core.exceptions import DomainError
from core.files import pdf_response
from delivery.choices import DeliveryStatus, FailureReason, IdType
from delivery.courier.dispatch import delivery_order_assign_courier
from delivery.courier.forms import AssignCourierForm
from delivery.courier.run_sheet import (
    courier_run_sheet_print,
    run_sheet_courier_for,
    run_sheet_day,
    run_sheet_filename,
)
from delivery.courier.selectors import CourierRun, RunOrder, dispatcher_board, taken_today_count
from delivery.courier.selectors import courier_run as courier_run_selector
from delivery.courier.take import (
    courier_passports_take,
    courier_passports_take_check,
    tracking_codes_split,
)
from delivery.handoff.codes import delivery_code_unlock
from delivery.handoff.tokens import delivery_attempt_numbers, delivery_token_public_keys
from delivery.models import Courier, DeliveryOrder
from delivery.orders.views import visible_order
from delivery.permissions import is_courier, is_office_dispatcher


@gzip_page  # a day's run over a slow mobile network; the page reflects no input (BREACH)
@never_cache
@login_required
def courier_run(request: AuthenticatedHttpRequest) -> HttpResponse:
    courier = Courier.objects.filter(user=request.user).first()
    if not is_courier(request.user) or courier is None:
        messages.error(request, _("The courier app is for couriers."))
        return redirect("home")
    run = courier_run_selector(courier=courier)
    texts = {
        "online": _("Online"),
        "offline": _("Offline: updates are kept on this phone"),
        "confirm_dispatch": _("Take this passport out for delivery now?"),
        "confirm_deliver": _("Record the handover? This cannot be undone."),
        "confirm_fail": _("Record a failed attempt? The applicant will be told."),
        "code_typo": _(
            "This is not a delivery code: a digit is wrong or two digits are swapped. "
            "Ask the applicant to read it again."
        ),
        "code_used": _("This delivery code has already been used."),
        "need_code": _("Enter the delivery code."),
        "need_signature": _("The receiver must sign on the screen."),
        "need_door_amount": _("Settle the fee difference at the door and tick it first."),
        "need_stand_in": _("Enter the stand-in's name and relation to the applicant."),
        "need_id": _("Choose the ID the receiver showed and enter its last 4 letters or digits."),
        "need_authorisation": _(
            "A stand-in needs the applicant's written authorisation: take a photo of it."
        ),
        "need_note": _("Describe the other reason."),
        "photo_too_large": _("The photo is too large."),
        **_token_texts(),
        "refused": _("Refused by the server"),
        "waiting": _("waiting"),
        "labels": {
            "dispatch": _("Out for delivery"),
            "deliver": _("Delivered"),
            "fail": _("Delivery attempt failed"),
        },
        "status": {
            "out_for_delivery": _("Out for delivery"),
            "delivered": _("Delivered"),
            "failed_attempt": _("Delivery attempt failed"),
        },
    }
    return render(
        request,
        "courier/run.html",
        {
            "run": run,
            "take": _take_context(courier, run),
            "reasons": FailureReason.choices,
            "id_types": IdType.choices,
            "max_attempts": settings.DELIVERY_MAX_FAILED_ATTEMPTS,
            "run_data": {
                "codes": run.codes,
                # The signed token (delivery/handoff/tokens.py): the public keys that may have signed
                # it, and how many times each order went out (the attempt a token must name).
                "token_keys": delivery_token_public_keys(),
                "token_attempts": delivery_attempt_numbers([o for g in run.groups for o in g.orders]),
                "texts": texts,
                "api": "/api/v1/courier/orders/",
                "max_attempts": settings.DELIVERY_MAX_FAILED_ATTEMPTS,
            },
        },
    )


# Taking passports from the delivery section, and the run sheet (step 6 → 7 signed by the courier).


def _waiting(run: CourierRun) -> list[RunOrder]:
    """The orders of the run that wait in the delivery section for the courier to take them."""
    return [
        order
        for group in run.groups
        for order in group.orders
        if order.status in (DeliveryStatus.WITH_DELIVERY_SECTION, DeliveryStatus.FAILED_ATTEMPT)
        and order.failed_attempts < settings.DELIVERY_MAX_FAILED_ATTEMPTS
    ]


def _take_context(courier: Courier, run: CourierRun) -> dict[str, object]:
    return {
        "waiting": _waiting(run),
        "taken_today": taken_today_count(courier=courier),
        "data": {
            "texts": {
                "offline": _("Taking passports needs the network: connect, then take them."),
                "none": _("Scan or tick at least one passport."),
                "confirm": _("Take these %(count)s passports from the delivery section? You sign for them."),
                "remove": _("Remove"),
                "twice": _("%(code)s is already on the list."),
            },
        },
    }


def _codes_posted(request: AuthenticatedHttpRequest) -> list[str]:
    return request.POST.getlist("codes") + tracking_codes_split(request.POST.get("scanned", ""))


@login_required
@require_POST
def courier_take(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The courier takes the chosen passports: without ``confirm`` the list is shown to confirm
    (the path without JavaScript); with it, they are taken, or none is and the refusals are shown."""
    if not is_courier(request.user):
        messages.error(request, _("The courier app is for couriers."))
        return redirect("home")
    codes = _codes_posted(request)
    error: DomainError | None = None
    if request.POST.get("confirm") == "1":
        try:
            result = courier_passports_take(actor=request.user, codes=codes)
        except DomainError as refused:
            error = refused
        else:
            if result.taken:
                messages.success(
                    request,
                    ngettext(
                        "You took %(count)s passport from the delivery section.",
                        "You took %(count)s passports from the delivery section.",
                        len(result.taken),
                    )
                    % {"count": len(result.taken)},
                )
            if result.already:
                messages.info(
                    request,
                    _("Already taken before, nothing changed: %(codes)s")
                    % {"codes": ", ".join(result.already)},
                )
            return redirect("courier-run")
    try:
        plan = courier_passports_take_check(actor=request.user, codes=codes)
    except DomainError as refused:
        messages.error(request, str(refused.message))
        return redirect(f"{reverse('courier-run')}#take")
    return render(
        request,
        "courier/take.html",
        {"plan": plan, "error": error},
        status=400 if error is not None or plan.refused else 200,
    )


@never_cache
@login_required
@require_GET
def courier_run_sheet(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The courier's own run sheet for today (``?day=YYYY-MM-DD`` for another day)."""
    if not is_courier(request.user):
        messages.error(request, _("The courier app is for couriers."))
        return redirect("home")
    return _run_sheet_response(request, None)


@never_cache
@login_required
@require_GET
def dispatcher_run_sheet(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A courier's run sheet, printed by the dispatcher of the courier's office."""
    if _dispatcher_office(request) is None:
        messages.error(request, _("The courier board is for the Pos delivery dispatcher."))
        return redirect("home")
    return _run_sheet_response(request, pk)


def _run_sheet_response(request: AuthenticatedHttpRequest, courier_id: int | None) -> HttpResponse:
    try:
        day = run_sheet_day(request.GET.get("day"))
        courier = run_sheet_courier_for(viewer=request.user, courier_id=courier_id)
    except DomainError as error:
        return HttpResponse(
            str(error.message), status=error.status_code, content_type="text/plain; charset=utf-8"
        )
    data = courier_run_sheet_print(viewer=request.user, courier=courier, day=day)
    return pdf_response(data, run_sheet_filename(courier, day))


def _token_texts() -> dict[str, str]:
    """What the phone says about a signed QR token at the door (static/courier/run.js tokenCheck)."""
    return {
        "token_forged": _(
            "This QR code was not issued by the portal. Ask the applicant for the delivery code."
        ),
        "token_other_order": _("This QR code is for another delivery order."),
        "token_old_attempt": _(
            "This QR code is from an earlier delivery attempt. Ask the applicant to open their order page again."
        ),
        "token_expired": _("This QR code has expired. Ask the applicant to open their order page again."),
        "token_valid": _("QR code checked: it is for this delivery."),
        "token_unchecked": _("This phone cannot check the QR code; the server will check it."),
        "token_scanning": _("Point the camera at the applicant's QR code."),
        "token_no_camera": _("The camera cannot be used: paste or type the code instead."),
        "need_code_or_token": _("Enter the delivery code or scan the applicant's QR code."),
    }


@never_cache
def courier_service_worker(request: HttpRequest) -> HttpResponse:
    """Served under /courier/ so that its scope covers the run page."""
    response = render(request, "courier/sw.js", content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("courier-run")
    return response


def _dispatcher_office(request: AuthenticatedHttpRequest) -> int | None:
    """The office of the Pos delivery dispatcher making the request; None for anyone else."""
    return request.user.office_id if is_office_dispatcher(request.user) else None


@never_cache
@login_required
def dispatcher_board_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    office_id = _dispatcher_office(request)
    if office_id is None:
        messages.error(request, _("The courier board is for the Pos delivery dispatcher."))
        return redirect("home")
    rows = dispatcher_board(office_id=office_id)
    couriers = [row.courier for row in rows]
    template = "courier/board_rows.html" if request.GET.get("fragment") else "courier/board.html"
    return render(request, template, {"rows": rows, "couriers": couriers})


@login_required
def dispatcher_reassign(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    office_id = _dispatcher_office(request)
    if office_id is None:
        messages.error(request, _("The courier board is for the Pos delivery dispatcher."))
        return redirect("home")
    order = get_object_or_404(DeliveryOrder, code=code, pos_office_id=office_id)
    form = AssignCourierForm(request.POST, office_id=office_id)
    if not form.is_valid():
        messages.error(request, _("Choose a courier of your office."))
        return redirect("courier-board")
    try:
        delivery_order_assign_courier(
            order_id=order.pk, courier=form.cleaned_data["courier"], actor=request.user
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("%(code)s moved to %(courier)s.")
            % {"code": order.code, "courier": form.cleaned_data["courier"].name},
        )
    return redirect("courier-board")


@login_required
def order_code_unlock(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The dispatcher allows new delivery code tries after checking the applicant (POST only)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    order = visible_order(request, code)
    try:
        delivery_code_unlock(order_code=order.code, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The delivery code is unlocked: the courier may enter it again."))
    return redirect("order-detail", code=order.code)


@login_required
def order_assign_courier(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    order = visible_order(request, code)
    if request.user.office_id is None:
        messages.error(request, _("Your role may not assign couriers."))
        return redirect("order-detail", code=order.code)
    form = AssignCourierForm(request.POST, office_id=request.user.office_id)
    if not form.is_valid():
        messages.error(request, _("Choose a courier of your office."))
        return redirect("order-detail", code=order.code)
    try:
        delivery_order_assign_courier(
            order_id=order.pk, courier=form.cleaned_data["courier"], actor=request.user
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("Assigned to %(courier)s.") % {"courier": form.cleaned_data["courier"].name}
        )
    return redirect("order-detail", code=order.code)
