"""The rating block of the personal link's page (``templates/manage/landing.html``): the page's
view stays as it is, and this block asks ``delivery.manage.rating`` what to offer."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("manage/_rating.html", takes_context=True)
def rating_panel(context: template.Context, order: Any, token: str) -> dict[str, Any]:
    from delivery.manage.forms import RatingForm
    from delivery.manage.rating import COMMENT_MAX, rating_offer

    offer = rating_offer(order=order)
    form = context.get("rating_form")
    if form is None:
        initial = {"score": str(offer.rating.score)} if offer.rating is not None else {}
        form = RatingForm(initial=initial)
    return {
        "offer": offer,
        "form": form,
        "token": token,
        "comment_max": COMMENT_MAX,
        "csrf_token": context.get("csrf_token"),
    }
