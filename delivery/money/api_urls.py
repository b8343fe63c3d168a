from django.urls import path

from delivery.money import apis

urlpatterns = [
    path("money/statements/", apis.StatementListApi.as_view(), name="api-money-statements"),
    path(
        "money/statements/<int:statement_id>/", apis.StatementDetailApi.as_view(), name="api-money-statement"
    ),
    path(
        "money/statements/<int:statement_id>/approval/",
        apis.StatementApprovalApi.as_view(),
        name="api-money-statement-approval",
    ),
    path(
        "money/statements/<int:statement_id>/disputes/",
        apis.StatementDisputeApi.as_view(),
        name="api-money-statement-disputes",
    ),
    path(
        "money/statements/<int:statement_id>/disputes/<int:dispute_id>/settlement/",
        apis.StatementSettlementApi.as_view(),
        name="api-money-statement-settlement",
    ),
]
