from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedHttpRequest, LoggedInRequest
from accounts.models import PersonalDataAccess
from core.exceptions import DomainError
from core.files import upload_response
from delivery.choices import DeliveryStatus
from delivery.courier.forms import AssignCourierForm
from delivery.handoff.codes import delivery_code_locked
from delivery.handoff.selectors import landing_facts, orders_visible_to, status_counts, work_queue
from delivery.handoff.tokens import delivery_token_for_applicant, delivery_token_qr
from delivery.handoff.transitions import (
    ACTION_FUNCTIONS,
    MOVES,
    MoveResult,
    actor_may,
    allowed_actions,
    check_move,
)
from delivery.models import DeliveryOrder
from delivery.orders.forms import MoveForm
from delivery.permissions import is_applicant, may_assign_courier_to, may_see_lost_case_page, may_unlock_codes
from delivery.privacy.services import nik_for_viewer, personal_data_access_record


def visible_order(request: LoggedInRequest, code: str) -> DeliveryOrder:
    return get_object_or_404(
        orders_visible_to(request.user).select_related("imigrasi_office", "pos_office"), code=code
    )


@login_required
def order_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    order = visible_order(request, code)
    user = request.user
    assign_form = None
    if may_assign_courier_to(user, order) and order.status in (
        DeliveryStatus.RECEIVED_BY_POS,
        DeliveryStatus.WITH_DELIVERY_SECTION,
        DeliveryStatus.FAILED_ATTEMPT,
    ):
        # the order's Pos office is the user's own: may_assign_courier_to checked it
        assign_form = AssignCourierForm(office_id=order.pos_office_id, area_id=order.area_id)
    events = order.events.select_related("office", "actor").order_by("occurred_at", "pk")
    can_change_address = False
    if is_applicant(user):
        from delivery.booking.online import address_change_quote

        try:
            address_change_quote(order=order, actor=user, area_id=order.area_id)
            can_change_address = True
        except DomainError:
            pass
    delivery_token = delivery_token_qr_image = None
    if is_applicant(user) and order.status == DeliveryStatus.OUT_FOR_DELIVERY:
        try:
            delivery_token = delivery_token_for_applicant(order_code=order.code, actor=user)
            delivery_token_qr_image = delivery_token_qr(delivery_token.token)
        except DomainError:
            pass
    if not is_applicant(user):
        personal_data_access_record(
            user=user,
            applicant_id=order.application.applicant_id,
            what=PersonalDataAccess.What.ORDER_DETAIL,
            reference=order.code,
        )
    response = render(
        request,
        "delivery/order_detail.html",
        {
            "order": order,
            "events": events,
            "actions": allowed_actions(order, user),
            "assign_form": assign_form,
            "can_change_address": can_change_address,
            "code_unlock": may_unlock_codes(user) and delivery_code_locked(order),
            "lost_case_link": may_see_lost_case_page(user, order),
            "nik_shown": nik_for_viewer(user=user, nik=order.application.applicant.nik),
            "delivery_token": delivery_token,
            "delivery_token_qr": delivery_token_qr_image,
        },
    )
    if delivery_token is not None:
        add_never_cache_headers(response)  # the signed token is kept by no cache
    return response


@login_required
def order_move(request: AuthenticatedHttpRequest, code: str, action: str) -> HttpResponse:
    """GET asks for confirmation; POST makes the move through the state machine."""
    if action not in MOVES:
        raise Http404
    move = MOVES[action]
    if move.own_page:  # e.g. refusing a dossier needs the checklist of missing items
        return redirect(move.own_page, code=code)
    order = visible_order(request, code)
    if move.courier_app_only:
        messages.error(
            request, _("Deliveries and failed attempts are recorded in the courier app, with their proof.")
        )
        return redirect("order-detail", code=order.code)
    form_kwargs = {"reason_required": move.reason == "required"}
    if request.method == "POST":
        form = MoveForm(request.POST, **form_kwargs)
        if form.is_valid():
            kwargs: dict[str, object] = {"order_id": order.pk, "actor": request.user}
            if move.reason:
                kwargs["reason"] = form.cleaned_data["reason"]
            # the table mixes signatures (some take a reason), so mypy infers a bare function
            make_move = cast("Callable[..., MoveResult]", ACTION_FUNCTIONS[action])
            try:
                make_move(**kwargs)
            except DomainError as error:
                messages.error(request, str(error.message))
                return redirect("order-detail", code=order.code)
            messages.success(
                request, _("Done: %(action)s (%(code)s).") % {"action": move.label, "code": order.code}
            )
            return redirect("order-detail", code=order.code)
    elif request.method == "GET":
        if not actor_may(action, order, request.user):
            try:
                check_move(action, order, request.user)
                messages.error(request, _("This cannot be done now."))
            except DomainError as error:
                messages.error(request, str(error.message))
            return redirect("order-detail", code=order.code)
        form = MoveForm(**form_kwargs)
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request,
        "delivery/order_move.html",
        {"order": order, "move": move, "action": action, "form": form, "show_reason": bool(move.reason)},
    )


@login_required
def order_proof_file(request: AuthenticatedHttpRequest, code: str, kind: str) -> HttpResponseBase:
    """The receiver's signature or the delivery photo of an order, for those who may see the order."""
    if kind not in ("signature", "photo"):
        raise Http404
    order = visible_order(request, code)
    proof = getattr(order, "proof", None)
    if proof is None:
        raise Http404
    personal_data_access_record(
        user=request.user,
        applicant_id=order.application.applicant_id,
        what=PersonalDataAccess.What.EXPORT,
        reference=f"proof-{kind}:{order.code}",
    )
    return upload_response(getattr(proof, kind), download_name=f"{kind}-{order.code}")


def home(request: HttpRequest) -> HttpResponse:
    """Logged in: the work queue of the role. Anonymous: the public landing page of the service."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "portal/landing.html", landing_facts())
    return render(
        request,
        "portal/home.html",
        {"sections": work_queue(user), "counts": status_counts(user)},
    )
