"""The personal link's power of attorney page for a group member, from a page that has the order
but not the link (``manage/home.html``)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from delivery.manage.links import link_token
from delivery.models import DeliveryOrder

register = template.Library()


@register.simple_tag
def member_poa_url(order: DeliveryOrder) -> str:
    return reverse("manage-link-poa", args=[link_token(order)])
