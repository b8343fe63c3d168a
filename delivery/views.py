from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.choices import Role
from accounts.models import PersonalDataAccess
from core.exceptions import DomainError
from core.files import upload_response
from core.middleware import client_ip
from delivery import tracking
from delivery.choices import DeliveryStatus
from delivery.forms import AssignCourierForm, MoveForm, TrackForm
from delivery.models import DeliveryOrder
from delivery.personal_data import applicant_data_export, nik_for_viewer, personal_data_access_record
from delivery.proof import CODE_UNLOCKERS, delivery_code_locked, delivery_code_unlock
from delivery.selectors import landing_facts, orders_visible_to, status_counts, work_queue
from delivery.services import delivery_order_assign_courier
from delivery.transitions import (
    ACTION_FUNCTIONS,
    MOVES,
    actor_may,
    allowed_actions,
    check_move,
)


def _visible_order(request, code: str) -> DeliveryOrder:
    return get_object_or_404(
        orders_visible_to(request.user).select_related("imigrasi_office", "pos_office"), code=code
    )


@login_required
def order_detail(request, code: str):
    order = _visible_order(request, code)
    user = request.user
    assign_form = None
    if (
        user.role in (Role.POS_DISPATCHER, Role.POS_SERVICE_OFFICER)
        and order.status
        in (
            DeliveryStatus.RECEIVED_BY_POS,
            DeliveryStatus.WITH_DELIVERY_SECTION,
            DeliveryStatus.FAILED_ATTEMPT,
        )
        and order.pos_office_id == user.office_id
    ):
        assign_form = AssignCourierForm(office_id=user.office_id, area_id=order.area_id)
    events = order.events.select_related("office", "actor").order_by("occurred_at", "pk")
    can_change_address = False
    if user.role == Role.APPLICANT:
        from delivery.online import address_change_quote

        try:
            address_change_quote(order=order, actor=user, area_id=order.area_id)
            can_change_address = True
        except DomainError:
            pass
    if user.role != Role.APPLICANT:
        personal_data_access_record(
            user=user,
            applicant_id=order.application.applicant_id,
            what=PersonalDataAccess.What.ORDER_DETAIL,
            reference=order.code,
        )
    return render(
        request,
        "delivery/order_detail.html",
        {
            "order": order,
            "events": events,
            "actions": allowed_actions(order, user),
            "assign_form": assign_form,
            "can_change_address": can_change_address,
            "code_unlock": user.role in CODE_UNLOCKERS and delivery_code_locked(order),
            "nik_shown": nik_for_viewer(user=user, nik=order.application.applicant.nik),
        },
    )


@login_required
def order_move(request, code: str, action: str):
    """GET asks for confirmation; POST makes the move through the state machine."""
    if action not in MOVES:
        raise Http404
    move = MOVES[action]
    if move.own_page:  # e.g. refusing a dossier needs the checklist of missing items
        return redirect(move.own_page, code=code)
    order = _visible_order(request, code)
    if move.courier_app_only:
        messages.error(
            request, _("Deliveries and failed attempts are recorded in the courier app, with their proof.")
        )
        return redirect("order-detail", code=order.code)
    form_kwargs = {"reason_required": move.reason == "required"}
    if request.method == "POST":
        form = MoveForm(request.POST, **form_kwargs)
        if form.is_valid():
            kwargs = {"order_id": order.pk, "actor": request.user}
            if move.reason:
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
def order_code_unlock(request, code: str):
    """The dispatcher allows new delivery code tries after checking the applicant (POST only)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    order = _visible_order(request, code)
    try:
        delivery_code_unlock(order_code=order.code, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The delivery code is unlocked: the courier may enter it again."))
    return redirect("order-detail", code=order.code)


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


def track(request):
    """Public lookup: the tracking code plus the date of birth or the last 4 digits of the NIK."""
    if "birth_date" not in request.GET and "nik_last4" not in request.GET:
        form = TrackForm(initial={"code": request.GET.get("code", "")})
        return render(request, "delivery/track.html", {"form": form})
    form = TrackForm(request.GET)
    client = client_ip(request)
    valid = form.is_valid()
    cacheable = valid and not request.user.is_authenticated  # a logged-in page carries a CSRF token
    key = code = ""
    if valid:
        code = form.cleaned_data["code"]
        birth_date = form.cleaned_data["birth_date"]
        nik_last4 = "" if birth_date else form.cleaned_data["nik_last4"]
        key = tracking.tracking_page_key(
            code=code, birth_date=birth_date, nik_last4=nik_last4, language=get_language()
        )
    blocked, page = tracking.tracking_cached_lookup(client=client, code=code, page_key=key or "track:none")
    if blocked:
        form.add_error(None, _("Too many unsuccessful attempts. Please wait 15 minutes and try again."))
        return render(request, "delivery/track.html", {"form": form}, status=429)
    if not valid:
        return render(request, "delivery/track.html", {"form": form}, status=400)
    if cacheable and page is not None:
        return HttpResponse(page)
    page = tracking.tracking_lookup(code=code, birth_date=birth_date, nik_last4=nik_last4)
    if page is None:
        tracking.tracking_record_failure(client=client, code=code)
        form.add_error(None, _("No delivery matches this tracking code and date of birth or NIK digits."))
        return render(request, "delivery/track.html", {"form": form}, status=404)
    response = render(request, "delivery/track.html", {"form": form, "page": page})
    if cacheable:
        cache.set(key, response.content, timeout=settings.TRACKING_PAGE_CACHE_SECONDS)
    return response


@login_required
def order_proof_file(request, code: str, kind: str):
    """The receiver's signature or the delivery photo of an order, for those who may see the order."""
    if kind not in ("signature", "photo"):
        raise Http404
    order = _visible_order(request, code)
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


def home(request):
    """Logged in: the work queue of the role. Anonymous: the public landing page of the service."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "portal/landing.html", landing_facts())
    return render(
        request,
        "portal/home.html",
        {"sections": work_queue(user), "counts": status_counts(user)},
    )


@login_required
@never_cache
def my_data_export(request):
    """The applicant downloads what the portal holds about them (JSON)."""
    data = applicant_data_export(user=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="antar-paspor-data-saya.json"'
    return response
