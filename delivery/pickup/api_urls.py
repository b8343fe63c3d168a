from django.urls import path

from delivery.pickup import apis

urlpatterns = [
    path("orders/<str:code>/branch-handover/", apis.BranchHandoverApi.as_view(), name="api-pickup-handover"),
]
