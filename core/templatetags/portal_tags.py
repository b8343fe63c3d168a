from django import template
from django.conf import settings

register = template.Library()


@register.filter
def rupiah(amount: int | str | None) -> str:
    """300000 -> "Rp 300.000", the way amounts are printed in Indonesia."""
    if amount in (None, ""):
        return ""
    return "Rp " + f"{int(amount):,}".replace(",", ".")


@register.simple_tag
def ministry_name() -> str:
    """The ministry Imigrasi belongs to, for letter heads (``IMIGRASI_MINISTRY_NAME``)."""
    return str(settings.IMIGRASI_MINISTRY_NAME)
