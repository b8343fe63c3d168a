from django.urls import path

from delivery.counter import views as v

urlpatterns = [
    path("counter/", v.counter_home, name="counter-home"),
    path("counter/applications/new/", v.application_new, name="counter-application-new"),
    path("counter/applications/<int:pk>/", v.application_detail, name="counter-application"),
    path("counter/applications/<int:pk>/book/", v.book, name="counter-book"),
    path("counter/pay/", v.pay, name="counter-pay"),
    path("counter/payments/<int:pk>/", v.payment_progress, name="counter-payment"),
    path("counter/payments/<int:pk>/status/", v.payment_status, name="counter-payment-status"),
    path("counter/manifests/new/", v.manifest_new, name="counter-manifest-new"),
    path("counter/manifests/<int:pk>/", v.manifest_detail, name="counter-manifest"),
    path("counter/manifests/<int:pk>/manifest.<str:fmt>", v.manifest_detail, name="counter-manifest-file"),
    path("counter/ready/", v.ready_mark, name="counter-ready"),
    path("counter/batches/new/", v.batch_new, name="counter-batch-new"),
    path("counter/batches/<int:pk>/", v.batch_detail, name="counter-batch"),
    path("counter/batches/<int:pk>/surat-tugas.pdf", v.batch_letter, name="counter-batch-letter"),
    path("counter/dossiers/<str:code>/refuse/", v.dossier_refuse, name="counter-dossier-refuse"),
    path("counter/handover/", v.delivery_handover, name="counter-handover"),
    path("counter/van/", v.van_standby, name="counter-van"),
    path("orders/<str:code>/documents/<str:kind>.pdf", v.order_document, name="order-document"),
]
