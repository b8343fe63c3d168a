from django.urls import path

from delivery.booking import apis, group_apis

urlpatterns = [
    path("bookings/", apis.OnlineBookingCreateApi.as_view(), name="api-booking-create"),
    path("bookings/<str:token>/", apis.OnlineBookingDetailApi.as_view(), name="api-booking-detail"),
    path("bookings/<str:token>/pay/", apis.OnlineBookingPayApi.as_view(), name="api-booking-pay"),
    path("orders/<str:code>/address/", apis.OrderAddressChangeApi.as_view(), name="api-order-address"),
    path("orders/<str:code>/cancel/", apis.OrderCancelApi.as_view(), name="api-order-cancel"),
    path(
        "orders/<str:code>/reschedule/",
        apis.DeliveryOrderRescheduleApi.as_view(),
        name="api-order-reschedule",
    ),
    path("areas/<slug:code>/windows/", apis.AreaWindowsApi.as_view(), name="api-area-windows"),
    path("groups/", group_apis.GroupBookingCreateApi.as_view(), name="api-groups"),
    path("groups/<str:number>/", group_apis.GroupBookingDetailApi.as_view(), name="api-group"),
    path(
        "groups/<str:number>/receipt.pdf", group_apis.GroupReceiptPdfApi.as_view(), name="api-group-receipt"
    ),
    path("groups/<str:number>/fees/", group_apis.GroupFeesPayApi.as_view(), name="api-group-fees"),
    path(
        "groups/<str:number>/members/<str:code>/signed-on-paper/",
        group_apis.GroupMemberPoaPaperApi.as_view(),
        name="api-group-member-poa-paper",
    ),
    path("links/<str:token>/code/", group_apis.LinkCodeApi.as_view(), name="api-link-code"),
    path(
        "links/<str:token>/power-of-attorney/",
        group_apis.LinkPowerOfAttorneyApi.as_view(),
        name="api-link-poa",
    ),
]
