from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, TypedDict

from django import template

if TYPE_CHECKING:
    from delivery.models import Batch, DeliveryOrder, Manifest

register = template.Library()


class OrderDocuments(TypedDict):
    order: DeliveryOrder
    money: Mapping[str, object]
    manifest: Manifest | None
    batch: Batch | None


@register.inclusion_tag("counter/_order_documents.html")
def order_documents(order: DeliveryOrder) -> OrderDocuments:
    """The papers of one order: receipt and power of attorney, its manifest and release batch."""
    from delivery.counter.booking import payment_reconciliation
    from delivery.models import BatchItem

    item = BatchItem.objects.select_related("batch").filter(order=order).first()
    return {
        "order": order,
        "money": payment_reconciliation(order=order),
        "manifest": order.manifests.order_by("-handed_at").first(),
        "batch": item.batch if item else None,
    }
