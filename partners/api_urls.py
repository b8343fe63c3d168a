from django.urls import path

from partners import apis

urlpatterns = [
    path("agreements/", apis.AgreementListApi.as_view(), name="api-partners-agreements"),
    path("evaluations/", apis.EvaluationListApi.as_view(), name="api-partners-evaluations"),
    path("disputes/", apis.DisputeListApi.as_view(), name="api-partners-disputes"),
    path("uptake/", apis.UptakeMonthApi.as_view(), name="api-partners-uptake"),
    path("dashboard/", apis.DashboardApi.as_view(), name="api-partners-dashboard"),
]
