from django.urls import include, path

from delivery import apis, courier_apis

urlpatterns = [
    path("orders/", apis.DeliveryOrderListApi.as_view(), name="api-order-list"),
    path("orders/<str:code>/", apis.DeliveryOrderDetailApi.as_view(), name="api-order-detail"),
    path("orders/<str:code>/moves/", apis.DeliveryOrderMoveApi.as_view(), name="api-order-move"),
    path("partners/", include("partners.api_urls")),
    path("courier/orders/<str:code>/dispatch/", courier_apis.CourierDispatchApi.as_view(),
         name="api-courier-dispatch"),
    path("courier/orders/<str:code>/deliver/", courier_apis.CourierDeliverApi.as_view(),
         name="api-courier-deliver"),
    path("courier/orders/<str:code>/fail/", courier_apis.CourierFailApi.as_view(),
         name="api-courier-fail"),
]
