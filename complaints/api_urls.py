from django.urls import path

from complaints import apis

urlpatterns = [
    path("complaints/", apis.ComplaintListApi.as_view(), name="api-complaints"),
    path("complaints/<str:ticket>/", apis.ComplaintDetailApi.as_view(), name="api-complaint"),
    path(
        "complaints/<str:ticket>/replies/",
        apis.ComplaintReplyApi.as_view(),
        name="api-complaint-replies",
    ),
    path(
        "complaints/<str:ticket>/close/",
        apis.ComplaintCloseApi.as_view(),
        name="api-complaint-close",
    ),
]
