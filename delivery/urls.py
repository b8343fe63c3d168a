from django.urls import path

from delivery import booking_views as b
from delivery import courier_views, group_views, views

urlpatterns = [
    path("orders/<str:code>/", views.order_detail, name="order-detail"),
    path("orders/<str:code>/move/<str:action>/", views.order_move, name="order-move"),
    path("orders/<str:code>/proof/<str:kind>/", views.order_proof_file, name="order-proof-file"),
    path("orders/<str:code>/courier/", views.order_assign_courier, name="order-assign-courier"),
    path("orders/<str:code>/code-unlock/", views.order_code_unlock, name="order-code-unlock"),
    path("orders/<str:code>/new-day/", courier_views.order_reschedule, name="order-reschedule"),
    path("courier/", courier_views.courier_run, name="courier-run"),
    path("courier/sw.js", courier_views.courier_service_worker, name="courier-sw"),
    path("courier/dispatcher/", courier_views.dispatcher_board_view, name="courier-board"),
    path("courier/dispatcher/<str:code>/move/", courier_views.dispatcher_reassign, name="courier-reassign"),
    path("book/", b.booking_start, name="booking-start"),
    path("book/mine/<int:application_id>/", b.booking_from_account, name="booking-from-account"),
    path("book/details/<str:signed>/", b.booking_details, name="booking-details"),
    path("book/<str:token>/", b.booking_review, name="booking-review"),
    path("book/<str:token>/pay/", b.booking_pay, name="booking-pay"),
    path("book/<str:token>/status/", b.booking_status, name="booking-status"),
    path("book/<str:token>/status.json", b.booking_status_json, name="booking-status-json"),
    path("book/<str:token>/documents/<str:kind>.pdf", b.booking_document, name="booking-document"),
    path("orders/<str:code>/address/", b.order_change_address, name="order-change-address"),
    path("groups/", group_views.group_list, name="group-list"),
    path("groups/sample.csv", group_views.group_sample_csv, name="group-sample"),
    path("groups/<str:number>/", group_views.group_detail, name="group-detail"),
]
