from django.urls import path

from delivery.manage import apis, rating_apis

urlpatterns = [
    path("manage/codes/", apis.ManageCodeApi.as_view(), name="api-manage-codes"),
    path("manage/sessions/", apis.ManageSessionApi.as_view(), name="api-manage-sessions"),
    path("manage/order/", apis.ManagedOrderDetailApi.as_view(), name="api-manage-order"),
    path("manage/order/day/", apis.ManagedOrderDayApi.as_view(), name="api-manage-day"),
    path("manage/order/address/", apis.ManagedOrderAddressApi.as_view(), name="api-manage-address"),
    path("manage/order/cancel/", apis.ManagedOrderCancelApi.as_view(), name="api-manage-cancel"),
    path("manage/order/pickup/", apis.ManagedOrderPickupApi.as_view(), name="api-manage-pickup"),
    path(
        "manage/order/fee-difference/",
        apis.ManagedOrderFeeDifferenceApi.as_view(),
        name="api-manage-fee-difference",
    ),
    path("manage/order/data/", apis.ManagedOrderDataApi.as_view(), name="api-manage-data"),
    path("manage/order/revoke/", apis.ManagedOrderRevokeApi.as_view(), name="api-manage-revoke"),
    path("links/<str:token>/rating/", rating_apis.LinkRatingApi.as_view(), name="api-link-rating"),
]
