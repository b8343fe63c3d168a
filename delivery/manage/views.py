"""Manage my delivery, without an account: the personal link's page, the one-time code, and the
changes the applicant may make (the same services as for a logged-in applicant).

Every page behind the code checks the browser's grant for the order (``access.grant_holds``); an
ended or missing grant goes back to the tracking page with the code filled in. Nothing here puts a
date of birth, NIK digits, phone number or address into an address.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.core import signing
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from core.exceptions import DomainError
from core.files import upload_response
from core.forms import form_errors_add
from core.lookups import lookup_failed, lookup_locked
from core.middleware import client_ip
from delivery.booking.views import address_change_page, reschedule_page
from delivery.manage import access, links
from delivery.manage.forms import CancelForm, CodeForm, PickupForm, SignUpForm
from delivery.manage.services import manage_cancel, manage_choose_pickup, manage_overview
from delivery.models import DeliveryOrder
from delivery.money.difference import NOTHING_TO_PAY, fee_difference_pay
from delivery.privacy.services import applicant_data_export
from delivery.tracking import services as tracking


def _link_refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "manage/link_refused.html", {"message": message}, status=status)


def _link_order(request: HttpRequest, token: str) -> DeliveryOrder | HttpResponse:
    """The order of a personal link, or the page that says why not (each bad link counts on the
    lookup lock, so links cannot be guessed)."""
    client = client_ip(request)
    if lookup_locked(client=client):
        return _link_refused(
            request, _("Too many unsuccessful attempts. Please wait 15 minutes and try again."), 429
        )
    try:
        return links.link_order(token)
    except links.LinkExpired:
        return render(
            request,
            "manage/link_refused.html",
            {
                "message": _(
                    "This link has expired. We can send a new one to the phone you gave at booking."
                ),
                "renew": token,
            },
            status=410,
        )
    except links.LinkInvalid:
        lookup_failed(client=client)
        return _link_refused(
            request, _("This link is not valid. Track your passport with your tracking code instead."), 404
        )


def link_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page of a personal link: ``view(request, order, token, ...)`` runs for the link's order;
    a bad or expired link gets the page that says why (``_link_order``)."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponseBase:
        order = _link_order(request, token)
        if isinstance(order, HttpResponse):
            return order
        return view(request, order, token, **kwargs)

    return wrapper


@never_cache
@require_http_methods(["GET", "HEAD"])
@link_view
def link_landing(request: HttpRequest, order: DeliveryOrder, token: str) -> HttpResponse:
    """The personal link of the messages: what the tracking page shows, and "manage my delivery"."""
    page = tracking.tracking_page_linked(order.code)
    context = {
        "page": page,
        "order": order,
        "token": token,
        "granted": access.grant_holds(request.session, order),
    }
    return render(request, "manage/landing.html", context)


@require_POST
@link_view
def link_code(request: HttpRequest, order: DeliveryOrder, token: str) -> HttpResponse:
    """Send a one-time code for the order of a personal link."""
    return code_send(request, order)


# The tracking result page is cached without a CSRF token (``delivery.tracking.views``); its link
# token is the proof here, and a forged post can only send the applicant a code (five an hour).
@csrf_exempt
@require_POST
def track_code(request: HttpRequest, token: str) -> HttpResponse:
    """Send a one-time code for the order of a tracking result's link (a lookup that matched)."""
    try:
        code = tracking.tracking_link_read(token)
    except signing.BadSignature:  # expired or altered: the lookup again
        messages.error(request, _("This tracking link has expired. Enter your details again."))
        return redirect("track")
    order = DeliveryOrder.objects.select_related("application__applicant").filter(code=code).first()
    if order is None:
        raise Http404
    return code_send(request, order)


def code_send(
    request: HttpRequest, order: DeliveryOrder, then: str = "manage-verify", **to: str
) -> HttpResponse:
    """Send a one-time code for ``order``, remember it as this browser's challenge, and go on to
    ``then`` (the page where it is typed)."""
    try:
        sent = access.manage_code_request(order=order)
    except DomainError as error:
        return _link_refused(request, str(error.message), error.status_code)
    request.session[access.CHALLENGE_KEY] = {
        "id": sent.code_id,
        "order": order.code,
        "phone": sent.to_phone,
        "email": sent.to_email,
    }
    return HttpResponseRedirect(reverse(then, kwargs=to))


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Type the one-time code; the right one opens "manage my delivery" for the order."""
    challenge = request.session.get(access.CHALLENGE_KEY)
    if not isinstance(challenge, dict):
        messages.error(
            request, _("Ask for a one-time code first: track your passport or open the link in our message.")
        )
        return redirect("track")
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            order = access.manage_code_verify(
                code_id=int(challenge["id"]), digits=form.cleaned_data["code"], client=client_ip(request)
            )
        except DomainError as error:
            form.add_error("code", str(error.message))
            status = error.status_code
        else:
            request.session.cycle_key()  # a new session key for the granted session
            access.grant_open(request.session, order)
            return redirect("manage-home", code=order.code)
    elif request.method == "POST":
        status = 400
    return render(request, "manage/verify.html", {"form": form, "challenge": challenge}, status=status)


@require_POST
def verify_resend(request: HttpRequest) -> HttpResponse:
    """A new code for the order this browser asked one for (at most one a minute, five an hour)."""
    challenge = request.session.get(access.CHALLENGE_KEY)
    order = (
        DeliveryOrder.objects.filter(code=challenge.get("order", "")).first()
        if isinstance(challenge, dict)
        else None
    )
    if order is None:
        return redirect("track")
    messages.info(request, _("A new code is on its way."))
    return code_send(request, order)


def _granted(request: HttpRequest, code: str) -> DeliveryOrder | HttpResponse:
    order = (
        DeliveryOrder.objects.select_related(
            "area", "delivery_window", "application__applicant", "imigrasi_office", "pos_office"
        )
        .filter(code=code)
        .first()
    )
    if order is None or not access.grant_holds(request.session, order):
        messages.info(
            request,
            _(
                "To manage your delivery, confirm with a one-time code: open the link in our message or track your passport."
            ),
        )
        return redirect(f"{reverse('track')}?code={code}" if order is not None else reverse("track"))
    return order


def granted_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page of "manage my delivery": ``view(request, order, ...)`` runs only while the browser
    holds the order's grant (``_granted``)."""

    @wraps(view)
    def wrapper(request: HttpRequest, code: str, **kwargs: Any) -> HttpResponseBase:
        order = _granted(request, code)
        if isinstance(order, HttpResponse):
            return order
        return view(request, order, **kwargs)

    return wrapper


def _actor(order: DeliveryOrder) -> User:
    return access.applicant_user_ensure(order=order)


@never_cache
@granted_view
def home(request: HttpRequest, order: DeliveryOrder) -> HttpResponse:
    overview = manage_overview(order=order, actor=_actor(order))
    return render(request, "manage/home.html", {"order": order, "overview": overview})


@never_cache
@require_http_methods(["GET", "POST"])
@granted_view
def day(request: HttpRequest, order: DeliveryOrder) -> HttpResponse:
    return reschedule_page(
        request, order=order, actor=_actor(order), back_url=reverse("manage-home", args=[order.code])
    )


@never_cache
@require_http_methods(["GET", "POST"])
@granted_view
def address(request: HttpRequest, order: DeliveryOrder) -> HttpResponse:
    return address_change_page(
        request, order=order, actor=_actor(order), back_url=reverse("manage-home", args=[order.code])
    )


@never_cache
@require_http_methods(["GET", "POST"])
@granted_view
def cancel(request: HttpRequest, order: DeliveryOrder) -> HttpResponse:
    """Confirm, with the refund the rule gives shown first; the cancel itself is the state machine's."""
    actor = _actor(order)
    overview = manage_overview(order=order, actor=actor)
    if not overview.can_cancel:
        messages.error(request, str(overview.cancel_refused))
        return redirect("manage-home", code=order.code)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            manage_cancel(order_id=order.pk, actor=actor, reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Your delivery is cancelled."))
        return redirect("manage-home", code=order.code)
    status = 400 if form.errors else 200
    return render(
        request, "manage/cancel.html", {"order": order, "overview": overview, "form": form}, status=status
    )


@never_cache
@require_http_methods(["GET", "POST"])
@granted_view
def pickup(request: HttpRequest, order: DeliveryOrder) -> HttpResponse:
    """Collect the passport at a Pos branch instead of home delivery: the branches with their
    address and opening hours, and a confirmation first, since the choice cannot be undone."""
    actor = _actor(order)
    overview = manage_overview(order=order, actor=actor)
    if not overview.can_choose_pickup:
        messages.error(request, _("A pickup branch can no longer be chosen for this delivery."))
        return redirect("manage-home", code=order.code)
    form = PickupForm(request.POST if request.method == "POST" else None, branches=overview.pickup_branches)
    if request.method == "POST" and form.is_valid():
        try:
            manage_choose_pickup(order_id=order.pk, actor=actor, branch_id=form.cleaned_data["branch"])
        except DomainError as error:
            if not error.fields:  # the order moved on meanwhile: say so on the order's page
                messages.error(request, str(error.message))
                return redirect("manage-home", code=order.code)
            form_errors_add(form, error, sentence="unplaced")
        else:
            messages.success(request, _("Done: you collect your passport at the branch you chose."))
            return redirect("manage-home", code=order.code)
    status = 400 if form.errors else 200
    return render(
        request, "manage/pickup.html", {"order": order, "overview": overview, "form": form}, status=status
    )


@never_cache
@require_http_methods(["GET", "POST"])
@granted_view
def pay_difference(request: HttpRequest, order: DeliveryOrder) -> HttpResponse:
    """Pay online the fee difference an address change left open: confirm the amount first; the
    payment's answer comes from a task, and "manage my delivery" shows it."""
    overview = manage_overview(order=order, actor=_actor(order))
    if request.method == "POST":
        try:
            fee_difference_pay(order_id=order.pk, actor=_actor(order))
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.info(
                request,
                _("Your payment is in progress. This page shows when it is done; nothing is charged twice."),
            )
        return redirect("manage-home", code=order.code)
    if overview.difference_to_pay <= 0:
        messages.info(request, str(NOTHING_TO_PAY))
        return redirect("manage-home", code=order.code)
    return render(request, "manage/pay_difference.html", {"order": order, "overview": overview})


@never_cache
@granted_view
def proof_file(request: HttpRequest, order: DeliveryOrder, kind: str) -> HttpResponseBase:
    """The receiver's signature or the photo at the door, for the applicant who passed the code."""
    proof = getattr(order, "proof", None)
    if kind not in ("signature", "photo") or proof is None or not getattr(proof, kind):
        raise Http404
    return upload_response(getattr(proof, kind), download_name=f"{kind}-{order.code}")


@never_cache
@granted_view
def data_export(request: HttpRequest, order: DeliveryOrder) -> HttpResponse:
    """Everything the portal holds about the applicant (JSON), as for a logged-in applicant."""
    response = JsonResponse(
        applicant_data_export(user=_actor(order)), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="antar-paspor-data-saya.json"'
    return response


@require_POST
@granted_view
def revoke(request: HttpRequest, order: DeliveryOrder) -> HttpResponse:
    """End every personal link and every session of the order (a lost phone, a shared message);
    the next message carries a new link."""
    links.links_revoke(order_id=order.pk)
    messages.success(request, _("All links to this delivery are ended. Our next message brings a new one."))
    return redirect("track")


@require_POST
@granted_view
def end(request: HttpRequest, order: DeliveryOrder) -> HttpResponse:
    access.grant_close(request.session, order)
    messages.success(request, _("You left “manage my delivery”."))
    return redirect("track")


@never_cache
@require_http_methods(["GET", "POST"])
@granted_view
def sign_up(request: HttpRequest, order: DeliveryOrder) -> HttpResponse:
    """Optional: an account with a password, for an applicant who passed the code."""
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            access.applicant_sign_up(
                order=order, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except DomainError as error:
            form_errors_add(form, error, sentence="unplaced")
        else:
            messages.success(request, _("Your account is ready: log in with your login name and password."))
            return redirect("login")
    has_account = cast(User, _actor(order)).has_usable_password()
    status = 400 if form.errors else 200
    return render(
        request,
        "manage/sign_up.html",
        {"order": order, "form": form, "has_account": has_account},
        status=status,
    )


@require_POST
def link_renew(request: HttpRequest, token: str) -> HttpResponse:
    """An expired link's page: a fresh link by SMS to the phone on file (once in ten minutes)."""
    client = client_ip(request)
    if lookup_locked(client=client):
        return _link_refused(
            request, _("Too many unsuccessful attempts. Please wait 15 minutes and try again."), 429
        )
    try:
        order = links.link_order(token)
    except links.LinkExpired as expired:
        order = expired.order
    except links.LinkInvalid:
        lookup_failed(client=client)
        return _link_refused(
            request, _("This link is not valid. Track your passport with your tracking code instead."), 404
        )
    if access.link_resend(order=order):
        messages.success(request, _("A new link is on its way to the phone you gave at booking."))
    else:
        messages.info(request, _("A new link was sent a few minutes ago; please check your messages."))
    return redirect("track")
