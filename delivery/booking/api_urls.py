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
]
