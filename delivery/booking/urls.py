from django.urls import path

from delivery.booking import group_views, views

urlpatterns = [
    path("book/", views.booking_start, name="booking-start"),
    path("book/mine/<int:application_id>/", views.booking_from_account, name="booking-from-account"),
    path("book/details/<str:signed>/", views.booking_details, name="booking-details"),
    path("book/<str:token>/", views.booking_review, name="booking-review"),
    path("book/<str:token>/pay/", views.booking_pay, name="booking-pay"),
    path("book/<str:token>/status/", views.booking_status, name="booking-status"),
    path("book/<str:token>/status.json", views.booking_status_json, name="booking-status-json"),
    path("book/<str:token>/documents/<str:kind>.pdf", views.booking_document, name="booking-document"),
    path("orders/<str:code>/address/", views.order_change_address, name="order-change-address"),
    path("orders/<str:code>/new-day/", views.order_reschedule, name="order-reschedule"),
    path("groups/", group_views.group_list, name="group-list"),
    path("groups/sample.csv", group_views.group_sample_csv, name="group-sample"),
    path("groups/<str:number>/", group_views.group_detail, name="group-detail"),
    path("groups/<str:number>/receipt.pdf", group_views.group_receipt, name="group-receipt"),
    path("groups/<str:number>/fees/", group_views.group_fees_pay, name="group-fees-pay"),
    path(
        "groups/<str:number>/members/<str:code>/signed-on-paper/",
        group_views.group_member_poa_paper,
        name="group-member-poa-paper",
    ),
]
