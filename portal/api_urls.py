from django.urls import include, path

from complaints import apis as complaint_apis
from delivery import apis, apis_dispatch, applicant_apis, counter_apis, courier_apis, group_apis

urlpatterns = [
    path("orders/", apis.DeliveryOrderListApi.as_view(), name="api-order-list"),
    path("orders/<str:code>/", apis.DeliveryOrderDetailApi.as_view(), name="api-order-detail"),
    path("orders/<str:code>/moves/", apis.DeliveryOrderMoveApi.as_view(), name="api-order-move"),
    path(
        "orders/<str:code>/courier/",
        apis_dispatch.DeliveryOrderAssignCourierApi.as_view(),
        name="api-order-assign-courier",
    ),
    path(
        "orders/<str:code>/reschedule/",
        apis_dispatch.DeliveryOrderRescheduleApi.as_view(),
        name="api-order-reschedule",
    ),
    path(
        "orders/<str:code>/code-unlock/",
        apis_dispatch.DeliveryOrderCodeUnlockApi.as_view(),
        name="api-order-code-unlock",
    ),
    path("partners/", include("partners.api_urls")),
    path("bookings/", applicant_apis.OnlineBookingCreateApi.as_view(), name="api-booking-create"),
    path("bookings/<str:token>/", applicant_apis.OnlineBookingDetailApi.as_view(), name="api-booking-detail"),
    path("bookings/<str:token>/pay/", applicant_apis.OnlineBookingPayApi.as_view(), name="api-booking-pay"),
    path("track/", applicant_apis.TrackingLookupApi.as_view(), name="api-track"),
    path(
        "orders/<str:code>/address/", applicant_apis.OrderAddressChangeApi.as_view(), name="api-order-address"
    ),
    path("orders/<str:code>/cancel/", applicant_apis.OrderCancelApi.as_view(), name="api-order-cancel"),
    path(
        "courier/orders/<str:code>/dispatch/",
        courier_apis.CourierDispatchApi.as_view(),
        name="api-courier-dispatch",
    ),
    path(
        "courier/orders/<str:code>/deliver/",
        courier_apis.CourierDeliverApi.as_view(),
        name="api-courier-deliver",
    ),
    path("courier/orders/<str:code>/fail/", courier_apis.CourierFailApi.as_view(), name="api-courier-fail"),
    path(
        "counter/applications/",
        counter_apis.CounterApplicationCreateApi.as_view(),
        name="api-counter-application",
    ),
    path("counter/payments/", counter_apis.CounterPaymentCreateApi.as_view(), name="api-counter-payment"),
    path(
        "counter/payments/<int:pk>/",
        counter_apis.CounterPaymentDetailApi.as_view(),
        name="api-counter-payment-detail",
    ),
    path("counter/bookings/", counter_apis.CounterBookingCreateApi.as_view(), name="api-counter-booking"),
    path("counter/manifests/", counter_apis.CounterManifestCreateApi.as_view(), name="api-counter-manifest"),
    path("counter/ready/", counter_apis.CounterReadyApi.as_view(), name="api-counter-ready"),
    path("counter/batches/", counter_apis.CounterBatchCreateApi.as_view(), name="api-counter-batch"),
    path(
        "counter/batches/<int:pk>/acknowledge/",
        counter_apis.CounterBatchAcknowledgeApi.as_view(),
        name="api-counter-batch-acknowledge",
    ),
    path(
        "counter/dossiers/<str:code>/refuse/",
        counter_apis.CounterDossierRefuseApi.as_view(),
        name="api-counter-dossier-refuse",
    ),
    path("counter/handover/", counter_apis.CounterDeliveryHandoverApi.as_view(), name="api-counter-handover"),
    path("counter/van/", counter_apis.CounterVanStandbyApi.as_view(), name="api-counter-van"),
    path("problems/", counter_apis.ProblemListApi.as_view(), name="api-problems"),
    path("groups/", group_apis.GroupBookingCreateApi.as_view(), name="api-groups"),
    path("groups/<str:number>/", group_apis.GroupBookingDetailApi.as_view(), name="api-group"),
    path("complaints/", complaint_apis.ComplaintListApi.as_view(), name="api-complaints"),
    path("complaints/<str:ticket>/", complaint_apis.ComplaintDetailApi.as_view(), name="api-complaint"),
    path(
        "complaints/<str:ticket>/replies/",
        complaint_apis.ComplaintReplyApi.as_view(),
        name="api-complaint-replies",
    ),
    path(
        "complaints/<str:ticket>/close/",
        complaint_apis.ComplaintCloseApi.as_view(),
        name="api-complaint-close",
    ),
]
