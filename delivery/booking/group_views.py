"""The travel agency's group booking pages: upload a CSV, read the row-by-row report, follow the
group with each member's power of attorney and fee, download the group receipt. The Pos counter
records the group's payment and the members who signed on paper there. Every rule is in
``delivery.booking.groups``, ``group_members`` and ``group_fees``."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.http import AuthenticatedHttpRequest
from core.exceptions import DomainError
from core.files import pdf_response
from core.middleware import client_ip
from delivery.booking import group_fees, group_members, groups
from delivery.choices import DeliveryStatus
from delivery.counter.documents import group_receipt_pdf
from delivery.models import Area, DeliveryOrder, GroupBooking
from delivery.permissions import may_open_group_bookings


class GroupBookingForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file (billing_code, birth_date, name)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    area = forms.ModelChoiceField(
        label=gettext_lazy("Area of your office"), queryset=Area.objects.all(), to_field_name="code"
    )
    contact_phone = forms.CharField(
        label=gettext_lazy("Phone at your office for the courier"),
        max_length=16,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )


@login_required
def group_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_open_group_bookings(request.user):
        messages.error(request, _("Group booking is for travel agencies."))
        return redirect("home")
    form = GroupBookingForm(
        request.POST or None,
        request.FILES or None,
        initial={"area": "makassar", "contact_phone": request.user.phone},
    )
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = groups.group_booking_create(
                actor=request.user,
                content=form.cleaned_data["file"].read(groups.MAX_BYTES + 1),
                area=form.cleaned_data["area"],
                contact_phone=form.cleaned_data["contact_phone"],
                client=client_ip(request),
            )
        except DomainError as error:
            placed = False
            for name, problems in error.fields.items():
                if name in form.fields:
                    for problem in problems:
                        form.add_error(name, str(problem))
                    placed = True
            if not placed:
                form.add_error(None, str(error.message))
        else:
            if result.file_error:
                form.add_error("file", result.file_error)
            elif result.group is not None:
                messages.success(
                    request,
                    _("%(n)s passports booked as group %(number)s.")
                    % {"n": len(result.rows), "number": result.group.number},
                )
                return redirect("group-detail", number=result.group.number)
    return render(
        request,
        "delivery/group_list.html",
        {
            "form": form,
            "result": result,
            "groups": groups.groups_visible_to(request.user)[:50],
            "max_rows": groups.MAX_ROWS,
        },
    )


def _group(request: AuthenticatedHttpRequest, number: str) -> GroupBooking:
    group = groups.groups_visible_to(request.user).filter(number=number).first()
    if group is None:
        raise Http404
    return group


@login_required
def group_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    group = _group(request, number)
    members = groups.group_members(group)
    orders = [member.order for member in members]
    receipt = group_fees.group_receipt(group)
    at_counter = request.user.role == Role.POS_SERVICE_OFFICER
    return render(
        request,
        "delivery/group_detail.html",
        {
            "group": group,
            "members": members,
            "orders": orders,
            "counts": groups.group_status_counts(orders),
            "waiting": sum(1 for member in members if member.waiting_signature),
            "receipt": receipt,
            "at_counter": at_counter,
            "booked": DeliveryStatus.BOOKED,
        },
    )


@login_required
def group_receipt(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The group receipt (before payment: the bill) as a PDF."""
    group = _group(request, number)
    return pdf_response(
        group_receipt_pdf(receipt=group_fees.group_receipt(group)), f"kuitansi-kelompok-{group.number}.pdf"
    )


@login_required
@require_POST
def group_fees_pay(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The Pos counter records the agency's one payment for the whole group."""
    group = _group(request, number)
    try:
        receipt = group_fees.group_fees_pay(group_id=group.pk, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The group's delivery fees are paid: receipt %(number)s.") % {"number": receipt.receipt_number},
        )
    return redirect("group-detail", number=group.number)


@login_required
@require_POST
def group_member_poa_paper(request: AuthenticatedHttpRequest, number: str, code: str) -> HttpResponse:
    """The counter clerk records that a member signed the power of attorney on paper."""
    group = _group(request, number)
    order = DeliveryOrder.objects.filter(code=code, group_item__group=group).first()
    if order is None:
        raise Http404
    try:
        group_members.member_poa_sign_at_counter(order_id=order.pk, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Recorded: the member of %(code)s signed on paper at the counter.") % {"code": order.code},
        )
    return redirect("group-detail", number=group.number)


@login_required
def group_sample_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The sample file of ``docs/``; in the demo its lines are paid passports the agency can book."""
    content = (settings.BASE_DIR / "docs" / "sample-group-booking.csv").read_bytes()
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sample-group-booking.csv"'
    return response
