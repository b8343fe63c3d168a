from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/bare", views.bare),
    path("", include("portal.urls")),
]
