from django import template

register = template.Library()


@register.inclusion_tag("counter/_order_documents.html")
def order_documents(order):
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
