from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from ledger.models import Movement

# The admin classes take no type arguments at run time; django-stubs' do.
if TYPE_CHECKING:
    _MovementAdmin = admin.ModelAdmin[Movement]
else:
    _MovementAdmin = admin.ModelAdmin


@admin.register(Movement)
class MovementAdmin(_MovementAdmin):
    """The ledger, to read: rows are written by the services that move money, corrected by
    reversing rows, never edited here."""

    list_display = ("occurred_at", "kind", "amount", "channel", "reference", "office", "order")
    list_filter = ("kind", "revenue", "channel", "office")
    search_fields = ("reference", "order__code")
    date_hierarchy = "business_day"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
