from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/bare", views.bare),
    path("bench/read/<str:code>", views.tracking_read),
    path("bench/write/<str:code>", views.update_writes),
    path("", include("portal.urls")),
]
