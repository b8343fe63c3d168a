from django import template

register = template.Library()


@register.filter
def rupiah(amount: int | str | None) -> str:
    """300000 -> "Rp 300.000", the way amounts are printed in Indonesia."""
    if amount in (None, ""):
        return ""
    return "Rp " + f"{int(amount):,}".replace(",", ".")
