from django.urls import path

from partners import apis, apis_manage

urlpatterns = [
    path("agreements/", apis_manage.AgreementListCreateApi.as_view(), name="api-partners-agreements"),
    path("evaluations/", apis.EvaluationListApi.as_view(), name="api-partners-evaluations"),
    path("disputes/", apis.DisputeListApi.as_view(), name="api-partners-disputes"),
    path("uptake/", apis.UptakeMonthApi.as_view(), name="api-partners-uptake"),
    path("dashboard/", apis.DashboardApi.as_view(), name="api-partners-dashboard"),
    # The pages' remaining actions (issue 8, "one door"): partners/apis_manage.py.
    path("agreements/<int:pk>/", apis_manage.AgreementDetailApi.as_view(), name="api-partners-agreement"),
    path(
        "agreements/<int:pk>/attachments/",
        apis_manage.AgreementAttachmentApi.as_view(),
        name="api-partners-agreement-attachments",
    ),
    path(
        "agreements/<int:pk>/consents/",
        apis_manage.AgreementConsentApi.as_view(),
        name="api-partners-agreement-consents",
    ),
    path(
        "agreements/<int:pk>/amendments/",
        apis_manage.AgreementAmendApi.as_view(),
        name="api-partners-agreement-amendments",
    ),
    path(
        "agreements/<int:pk>/articles/",
        apis_manage.AgreementArticleApi.as_view(),
        name="api-partners-agreement-articles",
    ),
    path(
        "agreements/<int:pk>/obligations/",
        apis_manage.AgreementObligationApi.as_view(),
        name="api-partners-agreement-obligations",
    ),
    path(
        "agreements/<int:pk>/obligations/<int:obligation_pk>/status/",
        apis_manage.ObligationStatusApi.as_view(),
        name="api-partners-obligation-status",
    ),
    path("evaluations/<int:pk>/", apis_manage.EvaluationDetailApi.as_view(), name="api-partners-evaluation"),
    path(
        "evaluations/<int:pk>/action-items/",
        apis_manage.EvaluationActionItemApi.as_view(),
        name="api-partners-action-items",
    ),
    path(
        "evaluations/<int:pk>/action-items/<int:item_pk>/complete/",
        apis_manage.ActionItemCompleteApi.as_view(),
        name="api-partners-action-item-complete",
    ),
    path(
        "evaluations/<int:pk>/scorecard/",
        apis_manage.EvaluationScorecardApi.as_view(),
        name="api-partners-scorecard",
    ),
    path("disputes/<int:pk>/", apis_manage.DisputeDetailApi.as_view(), name="api-partners-dispute"),
    path("disputes/<int:pk>/notes/", apis_manage.DisputeNoteApi.as_view(), name="api-partners-dispute-notes"),
    path(
        "disputes/<int:pk>/consensus/",
        apis_manage.DisputeConsensusApi.as_view(),
        name="api-partners-dispute-consensus",
    ),
    path(
        "disputes/<int:pk>/close/", apis_manage.DisputeCloseApi.as_view(), name="api-partners-dispute-close"
    ),
    path("uptake/csv/", apis_manage.UptakeCsvImportApi.as_view(), name="api-partners-uptake-csv"),
]
