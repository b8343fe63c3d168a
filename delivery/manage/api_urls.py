from django.urls import path

from delivery.manage import apis

urlpatterns = [
    path("links/<str:token>/rating/", apis.LinkRatingApi.as_view(), name="api-link-rating"),
]
