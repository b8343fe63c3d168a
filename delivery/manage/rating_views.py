"""The rating form of the personal link's page: ``POST /m/<token>/rating/``.

The link is checked as on the page itself (``views._link_order``: a bad link counts on the lookup
lock); no one-time code is asked, since a rating changes nothing about the delivery. A refused
answer shows the page again with the form's errors (400, or the refusal's own status)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.forms import form_errors_add
from delivery.manage import access
from delivery.manage.forms import RatingForm
from delivery.manage.rating import rating_record
from delivery.manage.views import link_view
from delivery.models import DeliveryOrder
from delivery.tracking import services as tracking


@never_cache
@require_POST
@link_view
def link_rating(request: HttpRequest, order: DeliveryOrder, token: str) -> HttpResponse:
    """Record the applicant's rating of the delivered order of a personal link."""
    form = RatingForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            rated = rating_record(
                order_id=order.pk, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
            )
        except DomainError as error:
            if error.fields:
                form_errors_add(form, error, sentence="unplaced")
            else:  # not delivered yet, or the week to change it is over: said above the page
                messages.error(request, str(error.message))
            status = error.status_code
        else:
            messages.success(
                request,
                _("Thank you for telling us how it went.")
                if rated.created
                else _("Your rating is changed. Thank you!"),
            )
            return redirect(f"{reverse('manage-link', args=[token])}#rating")
    context = {
        "page": tracking.tracking_page_linked(order.code),
        "order": order,
        "token": token,
        "granted": access.grant_holds(request.session, order),
        "rating_form": form,
    }
    return render(request, "manage/landing.html", context, status=status)
