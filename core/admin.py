from typing import TYPE_CHECKING

from django.contrib import admin

from core.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

# The admin classes take no type arguments at run time; django-stubs' do.
if TYPE_CHECKING:
    _AttemptInline = admin.TabularInline[WebhookAttempt, WebhookDelivery]
    _DeliveryAdmin = admin.ModelAdmin[WebhookDelivery]
    _SubscriptionAdmin = admin.ModelAdmin[WebhookSubscription]
else:
    _AttemptInline = admin.TabularInline
    _DeliveryAdmin = _SubscriptionAdmin = admin.ModelAdmin


class WebhookAttemptInline(_AttemptInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("at", "status_code", "response_ms", "error")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_DeliveryAdmin):
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
class WebhookSubscriptionAdmin(_SubscriptionAdmin):
    list_display = ("url", "owner", "events", "active", "consecutive_failures", "disabled_reason")
    readonly_fields = ("consecutive_failures", "disabled_reason")
