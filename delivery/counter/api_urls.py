from django.urls import path

from delivery.counter import apis

urlpatterns = [
    path(
        "counter/applications/",
        apis.CounterApplicationCreateApi.as_view(),
        name="api-counter-application",
    ),
    path("counter/payments/", apis.CounterPaymentCreateApi.as_view(), name="api-counter-payment"),
    path(
        "counter/payments/<int:pk>/",
        apis.CounterPaymentDetailApi.as_view(),
        name="api-counter-payment-detail",
    ),
    path("counter/bookings/", apis.CounterBookingCreateApi.as_view(), name="api-counter-booking"),
    path("counter/manifests/", apis.CounterManifestCreateApi.as_view(), name="api-counter-manifest"),
    path(
        "counter/manifests/<int:pk>/",
        apis.CounterManifestDetailApi.as_view(),
        name="api-counter-manifest-detail",
    ),
    path(
        "counter/manifests/<int:pk>/acknowledge/",
        apis.CounterManifestAcknowledgeApi.as_view(),
        name="api-counter-manifest-acknowledge",
    ),
    path("counter/ready/", apis.CounterReadyApi.as_view(), name="api-counter-ready"),
    path("counter/batches/", apis.CounterBatchCreateApi.as_view(), name="api-counter-batch"),
    path(
        "counter/batches/<int:pk>/acknowledge/",
        apis.CounterBatchAcknowledgeApi.as_view(),
        name="api-counter-batch-acknowledge",
    ),
    path(
        "counter/dossiers/<str:code>/refuse/",
        apis.CounterDossierRefuseApi.as_view(),
        name="api-counter-dossier-refuse",
    ),
    path("counter/handover/", apis.CounterDeliveryHandoverApi.as_view(), name="api-counter-handover"),
    path("counter/van/", apis.CounterVanStandbyApi.as_view(), name="api-counter-van"),
]
