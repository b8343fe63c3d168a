from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from delivery.choices import DeliveryStatus
from delivery.forms import AssignCourierForm, MoveForm, TrackForm
from delivery.models import DeliveryOrder
from delivery.selectors import orders_visible_to, work_queue
from delivery.services import delivery_order_assign_courier
from delivery.transitions import ACTION_FUNCTIONS, MOVES, actor_may, allowed_actions
from portal.choices import Role
from portal.exceptions import DomainError

REASON_REQUIRED = {"fail_attempt"}
REASON_ALLOWED = {"fail_attempt", "cancel"}


def _visible_order(request, code: str) -> DeliveryOrder:
    return get_object_or_404(
        orders_visible_to(request.user).select_related("imigrasi_office", "pos_office"), code=code
    )


@login_required
def order_detail(request, code: str):
    order = _visible_order(request, code)
    user = request.user
    assign_form = None
    if user.role in (Role.POS_DISPATCHER, Role.POS_SERVICE_OFFICER) and order.status in (
        DeliveryStatus.RECEIVED_BY_POS, DeliveryStatus.WITH_DELIVERY_SECTION,
        DeliveryStatus.FAILED_ATTEMPT,
    ) and order.pos_office_id == user.office_id:
        assign_form = AssignCourierForm(office_id=user.office_id, area_id=order.area_id)
    events = order.events.select_related("office", "actor").order_by("occurred_at", "pk")
    return render(
        request,
        "delivery/order_detail.html",
        {
            "order": order,
            "events": events,
            "actions": allowed_actions(order, user),
            "assign_form": assign_form,
        },
    )


@login_required
def order_move(request, code: str, action: str):
    """GET asks for confirmation; POST makes the move through the state machine."""
    if action not in MOVES:
        raise Http404
    if action == "refuse_dossier":  # needs the checklist of missing items
        return redirect("counter-dossier-refuse", code=code)
    order = _visible_order(request, code)
    move = MOVES[action]
    form_kwargs = {"reason_required": action in REASON_REQUIRED}
    if request.method == "POST":
        form = MoveForm(request.POST, **form_kwargs)
        if form.is_valid():
            kwargs = {"order_id": order.pk, "actor": request.user}
            if action in REASON_ALLOWED:
                kwargs["reason"] = form.cleaned_data["reason"]
            try:
                ACTION_FUNCTIONS[action](**kwargs)
            except DomainError as error:
                messages.error(request, str(error.message))
                return redirect("order-detail", code=order.code)
            messages.success(
                request, _("Done: %(action)s (%(code)s).") % {"action": move.label, "code": order.code}
            )
            return redirect("order-detail", code=order.code)
    elif request.method == "GET":
        if not actor_may(action, order, request.user):
            messages.error(request, _("This cannot be done now."))
            return redirect("order-detail", code=order.code)
        form = MoveForm(**form_kwargs)
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request,
        "delivery/order_move.html",
        {"order": order, "move": move, "action": action, "form": form,
         "show_reason": action in REASON_ALLOWED},
    )


@login_required
def order_assign_courier(request, code: str):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    order = _visible_order(request, code)
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


@login_required
def courier_run(request):
    if request.user.role != Role.COURIER:
        messages.error(request, _("The courier app is for couriers."))
        return redirect("home")
    return render(request, "delivery/courier_run.html", {"sections": work_queue(request.user)})


def track(request):
    """Public lookup: the tracking code plus the applicant's date of birth."""
    order = None
    if "birth_date" in request.GET:
        form = TrackForm(request.GET)
    else:
        form = TrackForm(initial={"code": request.GET.get("code", "")})
    if form.is_bound and form.is_valid():
        order = (
            DeliveryOrder.objects.select_related("area", "application__applicant")
            .filter(
                code=form.cleaned_data["code"],
                application__applicant__birth_date=form.cleaned_data["birth_date"],
            )
            .first()
        )
        if order is None:
            form.add_error(None, _("No delivery matches this tracking code and date of birth."))
    events = order.events.select_related("office").order_by("occurred_at", "pk") if order else []
    return render(request, "delivery/track.html", {"form": form, "order": order, "events": events})
