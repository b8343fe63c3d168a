from django.urls import path

from delivery.orders import apis

urlpatterns = [
    path("orders/", apis.DeliveryOrderListApi.as_view(), name="api-order-list"),
    path("orders/<str:code>/", apis.DeliveryOrderDetailApi.as_view(), name="api-order-detail"),
    path("orders/<str:code>/moves/", apis.DeliveryOrderMoveApi.as_view(), name="api-order-move"),
    path(
        "orders/<str:code>/delivery-token/",
        apis.DeliveryOrderTokenApi.as_view(),
        name="api-order-delivery-token",
    ),
]
