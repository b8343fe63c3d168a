"""The applicant's booking pages: find the application, details and signature, pay, wait, result.

The booking's token (unguessable, in the URL) is what lets an applicant without an account come
back to their booking; the step before it carries the application in a signed, expiring value.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from core.exceptions import DomainError
from core.fields import ascii_digits
from core.files import pdf_response
from core.forms import form_errors_add
from core.middleware import client_ip
from delivery.booking import online as svc
from delivery.booking.forms import (
    AddressChangeForm,
    BookingDetailsForm,
    BookingLookupForm,
    DeliveryWindowForm,
    RescheduleForm,
    area_from_form_data,
    existing_slot,
    window_errors_add,
)
from delivery.booking.invitation import BILLING_CODE_PARAMETER
from delivery.booking.reschedule import BEFORE_DISPATCH, delivery_order_reschedule, reschedule_allowed
from delivery.booking.windows import area_has_windows, slot_split
from delivery.counter import documents
from delivery.handoff.selectors import orders_visible_to
from delivery.models import DeliveryOrder, OnlineBooking, OnlineBookingStatus
from passports.models import PassportApplication
from passports.services import application_find_for_booking

SIGNING_SALT = "delivery.booking.application"
SIGNED_MAX_AGE = 24 * 3600


def _sign(application: PassportApplication) -> str:
    return signing.dumps({"a": application.pk}, salt=SIGNING_SALT, compress=True)


def _billing_code_from_link(request: HttpRequest) -> dict[str, str]:
    """The billing code of the slip's link, if it is 15 digits (spaces allowed); otherwise nothing."""
    code = request.GET.get(BILLING_CODE_PARAMETER, "").replace(" ", "")
    return {"billing_code": code} if ascii_digits(code, length=15) else {}


@never_cache
@require_http_methods(["GET", "POST"])
def booking_start(request: HttpRequest) -> HttpResponse:
    """Step one: the billing code and date of birth (or, logged in, one's own applications).

    The QR code of the billing-code slip opens this page with the billing code filled in
    (``?kode=``); the date of birth is always typed here.
    """
    form = BookingLookupForm(request.POST or None, initial=_billing_code_from_link(request))
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            application = application_find_for_booking(
                billing_code=form.cleaned_data["billing_code"],
                birth_date=form.cleaned_data["birth_date"],
                client=client_ip(request),
            )
        except DomainError as error:
            status = error.status_code if error.status_code == 429 else 400
            form_errors_add(form, error, skip=("signature",))
        else:
            return redirect("booking-details", signed=_sign(application))
    return render(
        request,
        "booking/start.html",
        {
            "form": form,
            "mine": svc.applications_bookable_by(request.user),
        },
        status=status,
    )


@login_required
def booking_from_account(request: AuthenticatedHttpRequest, application_id: int) -> HttpResponse:
    try:
        application = svc.application_for_account(user=request.user, application_id=application_id)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("booking-start")
    return redirect("booking-details", signed=_sign(application))


def _application_from_signed(signed: str) -> PassportApplication:
    try:
        value = signing.loads(signed, salt=SIGNING_SALT, max_age=SIGNED_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    return get_object_or_404(
        PassportApplication.objects.select_related("applicant", "billing_code", "passport_type"),
        pk=value.get("a"),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def booking_details(request: HttpRequest, signed: str) -> HttpResponse:
    """Destination, area, contact and the power of attorney signed on the screen."""
    application = _application_from_signed(signed)
    if DeliveryOrder.objects.filter(application=application).exists():
        messages.error(request, _("Delivery is already booked for this passport."))
        return redirect("booking-start")
    existing = OnlineBooking.objects.select_related("delivery_window").filter(application=application).first()
    if existing is not None and existing.status in (OnlineBookingStatus.PAYING, OnlineBookingStatus.BOOKED):
        return redirect("booking-status", token=existing.token)
    applicant = application.applicant
    showing_windows = request.method == "POST" and "show_windows" in request.POST
    if showing_windows:
        # "Show delivery days": the same details again, with the chosen area's windows; nothing kept.
        form = BookingDetailsForm(initial=request.POST.dict())
        window_form = DeliveryWindowForm(area=area_from_form_data(request.POST))
    elif request.method == "POST":
        form = BookingDetailsForm(request.POST)
        window_form = DeliveryWindowForm(request.POST, area=area_from_form_data(request.POST))
        if form.is_valid() and window_form.is_valid():
            data = form.cleaned_data
            delivery_date, window_id = window_form.slot()
            try:
                booking = svc.online_booking_prepare(
                    application=application,
                    destination_kind=data["destination_kind"],
                    address=data["address"],
                    area_id=data["area"].pk,
                    recipient_phone=data["recipient_phone"],
                    recipient_email=data["recipient_email"],
                    signature=data["signature"],
                    actor=request.user,
                    delivery_date=delivery_date,
                    window_id=window_id,
                    news_channels=data["news_channels"],
                )
            except DomainError as error:
                form_errors_add(form, error, skip=("signature", "window", "delivery_date"))
                window_errors_add(window_form, error)
            else:
                return redirect("booking-review", token=booking.token)
    else:
        initial: dict[str, object] = {
            "address": applicant.address,
            "recipient_phone": applicant.phone,
            "recipient_email": applicant.email,
        }
        if existing is not None:
            initial = {
                "destination_kind": existing.destination_kind,
                "area": existing.area_id,
                "address": existing.address,
                "recipient_phone": existing.recipient_phone,
                "recipient_email": existing.recipient_email,
                "news_channels": existing.news_channels.split(","),
            }
        form = BookingDetailsForm(initial=initial)
        window_form = DeliveryWindowForm(
            initial={"delivery_slot": existing_slot(existing)}, area=area_from_form_data({}, initial)
        )
    status = 400 if request.method == "POST" and not showing_windows else 200
    nik = applicant.nik or ""
    return render(
        request,
        "booking/details.html",
        {
            "form": form,
            "window_form": window_form,
            "application": application,
            "applicant": applicant,
            "nik_masked": ("•" * 12 + nik[-4:]) if nik else "",
            "grantee_name": settings.POA_GRANTEE_NAME,
            "grantee_nippos": settings.POA_GRANTEE_NIPPOS,
            "pos_office": svc.online_pos_office(application),
        },
        status=status,
    )


def _booking(token: str) -> OnlineBooking:
    return get_object_or_404(
        OnlineBooking.objects.select_related(
            "application__applicant",
            "application__billing_code",
            "area",
            "order",
            "pos_office",
            "delivery_window",
        ),
        token=token,
    )


@never_cache
def booking_review(request: HttpRequest, token: str) -> HttpResponse:
    """The amounts and the signed power of attorney, before paying (the confirmation step)."""
    booking = _booking(token)
    if booking.status in (OnlineBookingStatus.PAYING, OnlineBookingStatus.BOOKED):
        return redirect("booking-status", token=token)
    return render(
        request,
        "booking/review.html",
        {
            "booking": booking,
            "edit_url": reverse("booking-details", args=[_sign(booking.application)]),
        },
    )


@require_POST
def booking_pay(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking(token)
    try:
        svc.online_booking_pay(token=booking.token, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("booking-status", token=token)


@never_cache
def booking_status(request: HttpRequest, token: str) -> HttpResponse:
    """Progress while the payment is confirmed, then the result; the page refreshes itself with a
    small script and has a plain link for browsers without one."""
    booking = _booking(token)
    return render(
        request,
        "booking/status.html",
        {
            "booking": booking,
            "edit_url": reverse("booking-details", args=[_sign(booking.application)])
            if booking.status == OnlineBookingStatus.FAILED
            else "",
        },
    )


@never_cache
def booking_status_json(request: HttpRequest, token: str) -> JsonResponse:
    booking = _booking(token)
    return JsonResponse(
        {
            "status": booking.status,
            "label": str(booking.get_status_display()),
            "order": booking.order.code if booking.order else None,
        }
    )


def booking_document(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    booking = _booking(token)
    if booking.order is None:
        raise Http404
    order = booking.order
    if kind == "receipt":
        data, name = documents.dossier_receipt_pdf(order=order), f"tanda-terima-{order.code}.pdf"
    elif kind == "power-of-attorney":
        data, name = documents.power_of_attorney_pdf(order=order), f"surat-kuasa-{order.code}.pdf"
    else:
        raise Http404
    return pdf_response(data, name, attachment=True)


@login_required
@require_http_methods(["GET", "POST"])
def order_change_address(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The applicant moves the delivery; another area's fee difference is shown before confirming."""
    order = get_object_or_404(orders_visible_to(request.user).select_related("area"), code=code)
    return address_change_page(
        request, order=order, actor=request.user, back_url=reverse("order-detail", args=[code])
    )


def address_change_page(
    request: HttpRequest, *, order: DeliveryOrder, actor: User, back_url: str
) -> HttpResponse:
    """The address change, for a logged-in applicant or one on their personal link (``actor`` is the
    applicant's user either way); ``back_url`` is where they came from and go back to."""
    quote = None
    if request.method == "POST":
        form = AddressChangeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if request.POST.get("confirm") == "yes":
                    svc.delivery_order_change_address(
                        order_id=order.pk,
                        actor=actor,
                        destination_kind=data["destination_kind"],
                        address=data["address"],
                        area_id=data["area"].pk,
                        expected_fee=-1 if data["expected_fee"] is None else data["expected_fee"],
                    )
                    messages.success(request, _("The delivery address was changed."))
                    return redirect(back_url)
                quote = svc.address_change_quote(order=order, actor=actor, area_id=data["area"].pk)
            except DomainError as error:
                if error.code == "already_released":
                    messages.error(request, str(error.message))
                    return redirect(back_url)
                form_errors_add(form, error, skip=("signature",))
    else:
        try:
            svc.address_change_quote(order=order, actor=actor, area_id=order.area_id)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect(back_url)
        form = AddressChangeForm(
            initial={
                "destination_kind": order.destination_kind,
                "area": order.area_id,
                "address": order.address,
            }
        )
    return render(
        request,
        "booking/address.html",
        {"order": order, "form": form, "quote": quote, "back_url": back_url},
        status=400 if form.errors else 200,
    )


@login_required
def order_reschedule(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The applicant picks another day or address after a failed attempt."""
    order = get_object_or_404(
        DeliveryOrder.objects.select_related("area"), code=code, application__applicant__user=request.user
    )
    return reschedule_page(
        request, order=order, actor=request.user, back_url=reverse("order-detail", args=[code])
    )


def reschedule_page(
    request: HttpRequest, *, order: DeliveryOrder, actor: User, back_url: str
) -> HttpResponse:
    """Another day (and window) before the courier sets out, or another day or address after a
    failed attempt; for a logged-in applicant or one on their personal link."""
    # In an area with delivery windows the new day is chosen with its window, as at booking.
    window_form = None
    data = request.POST.copy() if request.method == "POST" else None
    if area_has_windows(order.area):
        window_form = DeliveryWindowForm(data, area=order.area, required=True)
        day, _window = slot_split(data.get("delivery_slot", "") if data is not None else "")
        if data is not None:
            data["preferred_date"] = day.isoformat() if day else ""
    form = RescheduleForm(data)
    if data is not None and window_form is not None and not window_form.is_valid():
        pass  # the window's own error is shown at the choice
    elif data is not None and form.is_valid():
        _day, window_id = window_form.slot() if window_form is not None else (None, None)
        try:
            delivery_order_reschedule(
                order_id=order.pk,
                actor=actor,
                preferred_date=form.cleaned_data["preferred_date"],
                new_address=form.cleaned_data["new_address"],
                window_id=window_id,
            )
        except DomainError as error:
            if window_form is not None:
                window_errors_add(window_form, error)
            for field, errors in error.fields.items():
                if field in ("window", "delivery_date") and window_form is not None:
                    continue
                for message in errors:
                    form.add_error(field if field in form.fields else None, str(message))
            if not error.fields:
                form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Thank you: the courier will come on the day you chose."))
            return redirect(back_url)
    return render(
        request,
        "courier/reschedule.html",
        {
            "order": order,
            "form": form,
            "window_form": window_form,
            "allowed": reschedule_allowed(order),
            "before_dispatch": order.status in BEFORE_DISPATCH,
            "back_url": back_url,
        },
    )
