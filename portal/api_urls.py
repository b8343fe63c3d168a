"""/api/v1/: each capability's endpoints, in its own api_urls module."""

from django.urls import include, path

urlpatterns = [
    path("", include("delivery.orders.api_urls")),
    path("", include("delivery.pickup.api_urls")),
    path("", include("delivery.courier.api_urls")),
    path("", include("delivery.booking.api_urls")),
    path("", include("delivery.tracking.api_urls")),
    path("", include("delivery.manage.api_urls")),
    path("", include("delivery.counter.api_urls")),
    path("", include("delivery.problems.api_urls")),
    path("", include("delivery.custody.api_urls")),
    path("", include("delivery.money.api_urls")),
    path("", include("delivery.notifications.api_urls")),
    path("", include("complaints.api_urls")),
    path("partners/", include("partners.api_urls")),
]
