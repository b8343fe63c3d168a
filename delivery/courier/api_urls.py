from django.urls import path

from delivery.courier import apis

urlpatterns = [
    path(
        "orders/<str:code>/courier/",
        apis.DeliveryOrderAssignCourierApi.as_view(),
        name="api-order-assign-courier",
    ),
    path(
        "orders/<str:code>/code-unlock/",
        apis.DeliveryOrderCodeUnlockApi.as_view(),
        name="api-order-code-unlock",
    ),
    path(
        "courier/orders/<str:code>/dispatch/", apis.CourierDispatchApi.as_view(), name="api-courier-dispatch"
    ),
    path("courier/orders/<str:code>/deliver/", apis.CourierDeliverApi.as_view(), name="api-courier-deliver"),
    path("courier/take/", apis.CourierTakeApi.as_view(), name="api-courier-take"),
    path("courier/run-sheet/", apis.CourierRunSheetApi.as_view(), name="api-courier-run-sheet"),
    path("courier/orders/<str:code>/fail/", apis.CourierFailApi.as_view(), name="api-courier-fail"),
]
