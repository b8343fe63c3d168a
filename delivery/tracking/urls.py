from django.urls import path

from delivery.tracking import views

urlpatterns = [
    path("track/", views.track, name="track"),
    path("track/r/<str:token>/", views.track_result, name="track-result"),
]
