from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest

from delivery.models import (
    Area,
    Courier,
    DeliveryEvent,
    DeliveryOrder,
    DeliveryWindow,
    PickupBranch,
    ProofOfDelivery,
    RefundRule,
    RescheduleRequest,
)

# The admin classes take no type arguments at run time; django-stubs' do.
if TYPE_CHECKING:
    _AreaAdmin = admin.ModelAdmin[Area]
    _CourierAdmin = admin.ModelAdmin[Courier]
    _DeliveryEventInline = admin.TabularInline[DeliveryEvent, DeliveryOrder]
    _DeliveryWindowInline = admin.TabularInline[DeliveryWindow, Area]
    _DeliveryOrderAdmin = admin.ModelAdmin[DeliveryOrder]
    _ProofOfDeliveryAdmin = admin.ModelAdmin[ProofOfDelivery]
    _RescheduleRequestAdmin = admin.ModelAdmin[RescheduleRequest]
    _RefundRuleAdmin = admin.ModelAdmin[RefundRule]
    _PickupBranchAdmin = admin.ModelAdmin[PickupBranch]
else:
    _RefundRuleAdmin = _PickupBranchAdmin = admin.ModelAdmin
    _AreaAdmin = _CourierAdmin = _DeliveryOrderAdmin = _ProofOfDeliveryAdmin = _RescheduleRequestAdmin = (
        admin.ModelAdmin
    )
    _DeliveryEventInline = _DeliveryWindowInline = admin.TabularInline


class DeliveryWindowInline(_DeliveryWindowInline):
    """The area's delivery windows and their places per day (a window in use is switched off, not
    deleted: orders keep pointing to it)."""

    model = DeliveryWindow
    extra = 0
    fields = ("starts_at", "ends_at", "capacity", "active")


@admin.register(Area)
class AreaAdmin(_AreaAdmin):
    list_display = ("name", "code", "delivery_fee", "lead_days", "tariff_is_demo")
    list_editable = ("delivery_fee", "lead_days")
    inlines = [DeliveryWindowInline]


@admin.register(Courier)
class CourierAdmin(_CourierAdmin):
    list_display = ("name", "nippos", "office", "is_third_party", "active")
    filter_horizontal = ("areas",)


class DeliveryEventInline(_DeliveryEventInline):
    model = DeliveryEvent
    extra = 0
    can_delete = False
    fields = ("occurred_at", "from_status", "to_status", "actor", "actor_role", "office", "location")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: DeliveryOrder | None = None) -> bool:
        return False


@admin.register(DeliveryOrder)
class DeliveryOrderAdmin(_DeliveryOrderAdmin):
    """Read-only here: states change only through the handoff pages and API."""

    list_display = ("code", "status", "area", "courier", "deadline_at", "deadline_breached_at")
    list_filter = ("status", "area")
    search_fields = ("code",)
    inlines = [DeliveryEventInline]

    def has_change_permission(self, request: HttpRequest, obj: DeliveryOrder | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: DeliveryOrder | None = None) -> bool:
        return False


# ---- Courier app: proofs of delivery and applicants' new days, read-only ----


@admin.register(ProofOfDelivery)
class ProofOfDeliveryAdmin(_ProofOfDeliveryAdmin):
    list_display = ("order", "receiver_kind", "receiver_name", "relation", "proof_method", "created_at")
    list_filter = ("proof_method",)
    readonly_fields = [f.name for f in ProofOfDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ProofOfDelivery | None = None) -> bool:
        return False


@admin.register(RescheduleRequest)
class RescheduleRequestAdmin(_RescheduleRequestAdmin):
    list_display = ("order", "after_attempt", "preferred_date", "new_address", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RescheduleRequest | None = None) -> bool:
        return False


@admin.register(RefundRule)
class RefundRuleAdmin(_RefundRuleAdmin):
    """What goes back to the applicant when a delivery ends early (``delivery.money.refunds``)."""

    list_display = ("situation", "percent", "note", "updated_at")


@admin.register(PickupBranch)
class PickupBranchAdmin(_PickupBranchAdmin):
    """The Pos branches where applicants may collect their passport (``delivery.pickup``); a branch
    that stops handing out passports is switched off, not deleted: orders keep pointing to it."""

    list_display = ("name", "pos_office", "address", "opening_hours", "active")
    list_filter = ("pos_office", "active")
    list_editable = ("opening_hours", "active")

    def has_delete_permission(self, request: HttpRequest, obj: PickupBranch | None = None) -> bool:
        return False
