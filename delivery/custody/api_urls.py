from django.urls import path

from delivery.custody import apis

urlpatterns = [
    path("lost-cases/", apis.LostCaseListApi.as_view(), name="api-lost-cases"),
    path("orders/<str:code>/lost-cases/", apis.LostCaseOpenApi.as_view(), name="api-lost-case-open"),
    path("lost-cases/<str:number>/", apis.LostCaseDetailApi.as_view(), name="api-lost-case"),
    path(
        "lost-cases/<str:number>/police-report/",
        apis.PoliceReportApi.as_view(),
        name="api-lost-case-police-report",
    ),
    path("lost-cases/<str:number>/decision/", apis.DecisionApi.as_view(), name="api-lost-case-decision"),
]
