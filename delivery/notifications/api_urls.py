from django.urls import path

from delivery.notifications import apis

urlpatterns = [
    path("webhooks/whatsapp/", apis.WhatsAppStatusWebhookApi.as_view(), name="api-whatsapp-statuses"),
]
