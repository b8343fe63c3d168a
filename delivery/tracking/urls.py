from django.urls import path

from delivery.tracking import views

urlpatterns = [
    path("track/", views.track, name="track"),
]
