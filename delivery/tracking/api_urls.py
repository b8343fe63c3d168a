from django.urls import path

from delivery.tracking import apis

urlpatterns = [
    path("track/", apis.TrackingLookupApi.as_view(), name="api-track"),
]
