from django.contrib import admin

from delivery.models import Area, Courier, DeliveryEvent, DeliveryOrder


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "delivery_fee", "tariff_is_demo")
    list_editable = ("delivery_fee",)


@admin.register(Courier)
class CourierAdmin(admin.ModelAdmin):
    list_display = ("name", "nippos", "office", "is_third_party", "active")
    filter_horizontal = ("areas",)


class DeliveryEventInline(admin.TabularInline):
    model = DeliveryEvent
    extra = 0
    can_delete = False
    fields = ("occurred_at", "from_status", "to_status", "actor", "actor_role", "office", "location")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DeliveryOrder)
class DeliveryOrderAdmin(admin.ModelAdmin):
    """Read-only here: states change only through the handoff pages and API."""

    list_display = ("code", "status", "area", "courier", "deadline_at", "deadline_breached_at")
    list_filter = ("status", "area")
    search_fields = ("code",)
    inlines = [DeliveryEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ---- Courier app: proofs of delivery and applicants' new days, read-only ----
from delivery.models import ProofOfDelivery, RescheduleRequest  # noqa: E402


@admin.register(ProofOfDelivery)
class ProofOfDeliveryAdmin(admin.ModelAdmin):
    list_display = ("order", "receiver_kind", "receiver_name", "relation", "created_at")
    readonly_fields = [f.name for f in ProofOfDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RescheduleRequest)
class RescheduleRequestAdmin(admin.ModelAdmin):
    list_display = ("order", "after_attempt", "preferred_date", "new_address", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
