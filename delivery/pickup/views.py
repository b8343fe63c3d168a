"""The branch counter's page: hand the passport over against the applicant's delivery code."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.choices import Role
from accounts.http import AuthenticatedHttpRequest
from accounts.models import PersonalDataAccess
from core.exceptions import DomainError
from core.forms import form_errors_add
from delivery.handoff.codes import delivery_code_locked
from delivery.handoff.selectors import orders_visible_to
from delivery.handoff.transitions import actor_may
from delivery.permissions import roles
from delivery.pickup.forms import BranchHandoverForm
from delivery.pickup.services import delivery_order_hand_over_at_branch
from delivery.privacy.services import personal_data_access_record


@never_cache
@roles(Role.POS_SERVICE_OFFICER)
@require_http_methods(["GET", "POST"])
def branch_handover(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    order = get_object_or_404(
        orders_visible_to(request.user).select_related("pickup_branch", "application__applicant"), code=code
    )
    if not actor_may("collect_at_branch", order, request.user):
        messages.error(request, _("This passport is not waiting at a branch of your office."))
        return redirect("order-detail", code=order.code)
    personal_data_access_record(
        user=request.user,
        applicant_id=order.application.applicant_id,
        what=PersonalDataAccess.What.ORDER_DETAIL,
        reference=order.code,
    )
    form = BranchHandoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            delivery_order_hand_over_at_branch(order_code=order.code, actor=request.user, **data)
        except DomainError as error:
            form_errors_add(form, error, sentence="unplaced")
        else:
            messages.success(
                request, _("Passport %(code)s handed over at the branch.") % {"code": order.code}
            )
            return redirect("order-detail", code=order.code)
    status = 400 if form.errors else 200
    return render(
        request,
        "delivery/branch_handover.html",
        {"order": order, "form": form, "code_locked": delivery_code_locked(order)},
        status=status,
    )
