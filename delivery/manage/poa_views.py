"""A group member signs their own power of attorney through their personal link
(``/m/<token>/power-of-attorney/``).

The link shows what the member would sign; signing is a change, so, as for every change through
the link, the member first types the one-time code sent to the phone and mail on file (asked on
this page, typed on this page with the signature). The rule is ``delivery.booking.group_members``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.exceptions import DomainError
from core.middleware import client_ip
from delivery.booking.group_members import member_poa, member_poa_sign
from delivery.manage import access
from delivery.manage.forms import MemberPoaForm
from delivery.manage.views import _link_refused, code_send, link_view
from delivery.models import DeliveryOrder


@never_cache
@require_http_methods(["GET", "POST"])
@link_view
def power_of_attorney(request: HttpRequest, order: DeliveryOrder, token: str) -> HttpResponse:
    poa = member_poa(order)
    if poa is None:
        return _link_refused(
            request,
            _("You signed the power of attorney when you booked: there is nothing to sign here."),
            404,
        )
    granted = access.grant_holds(request.session, order)
    challenge = request.session.get(access.CHALLENGE_KEY)
    if not isinstance(challenge, dict) or challenge.get("order") != order.code:
        challenge = None
    if request.method == "POST" and "send_code" in request.POST:
        return code_send(request, order, then="manage-link-poa", token=token)
    form = MemberPoaForm(request.POST if request.method == "POST" else None, code_needed=not granted)
    status = 200
    if request.method == "POST" and not poa.signed and (granted or challenge) and form.is_valid():
        try:
            if not granted:
                assert challenge is not None
                verified = access.manage_code_verify(
                    code_id=int(challenge["id"]), digits=form.cleaned_data["code"], client=client_ip(request)
                )
                request.session.cycle_key()
                access.grant_open(request.session, verified)
                granted = True
            member_poa_sign(
                order_id=order.pk,
                signature=form.cleaned_data["signature"],
                actor=access.applicant_user_ensure(order=order),
            )
        except DomainError as error:
            for name, problems in error.fields.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, str(problem))
            if not error.fields:
                form.add_error("code" if "code" in form.fields else None, str(error.message))
            status = error.status_code
        else:
            messages.success(request, _("Thank you: your power of attorney is signed."))
            return redirect("manage-link-poa", token=token)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "manage/power_of_attorney.html",
        {
            "order": order,
            "applicant": order.application.applicant,
            "poa": poa,
            "token": token,
            "granted": granted,
            "challenge": challenge,
            "form": form,
        },
        status=status,
    )
