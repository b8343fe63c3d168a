from django.contrib import admin

from core.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("at", "status_code", "response_ms", "error")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "subscription",
        "event",
        "ordering_key",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "event")
    readonly_fields = (
        "subscription",
        "event",
        "ordering_key",
        "payload",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    )
    inlines = [WebhookAttemptInline]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("url", "owner", "events", "active", "consecutive_failures", "disabled_reason")
    readonly_fields = ("consecutive_failures", "disabled_reason")
