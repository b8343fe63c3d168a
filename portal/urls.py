from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views
from core import api_docs
from core import views as core_views
from delivery.orders import views as delivery_views

urlpatterns = [
    path("", delivery_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    # The busiest public page, resolved before the counters' and the courier's long lists.
    path("", include("delivery.tracking.urls")),
    path("", include("delivery.manage.urls")),
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("login/two-step/", views.two_factor_verify, name="two-factor-verify"),
    path("login/two-step/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("delivery.privacy.urls")),
    path("lang/<str:code>/", core_views.language_switch, name="language-switch"),
    path("admin/", admin.site.urls),
    path("partners/", include("partners.urls")),
    path("complaints/", include("complaints.urls")),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", api_docs.SchemaView.as_view(), name="schema"),
    path("api/docs/", api_docs.api_docs, name="api-docs"),
    path("", include("delivery.counter.urls")),
    path("", include("delivery.orders.urls")),
    path("", include("delivery.pickup.urls")),
    path("", include("delivery.courier.urls")),
    path("", include("delivery.booking.urls")),
    path("", include("delivery.problems.urls")),
    path("", include("delivery.custody.urls")),
    path("", include("delivery.money.urls")),
]

# Under /api/ these answer with the one JSON error body (core.api); elsewhere Django's pages.
handler400 = "core.api.bad_request"
handler404 = "core.api.not_found"
