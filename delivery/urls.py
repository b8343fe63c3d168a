from django.urls import path

from delivery import courier_views, views

urlpatterns = [
    path("orders/<str:code>/", views.order_detail, name="order-detail"),
    path("orders/<str:code>/move/<str:action>/", views.order_move, name="order-move"),
    path("orders/<str:code>/proof/<str:kind>/", views.order_proof_file, name="order-proof-file"),
    path("orders/<str:code>/courier/", views.order_assign_courier, name="order-assign-courier"),
    path("orders/<str:code>/new-day/", courier_views.order_reschedule, name="order-reschedule"),
    path("courier/", courier_views.courier_run, name="courier-run"),
    path("courier/sw.js", courier_views.courier_service_worker, name="courier-sw"),
    path("courier/dispatcher/", courier_views.dispatcher_board_view, name="courier-board"),
    path("courier/dispatcher/<str:code>/move/", courier_views.dispatcher_reassign,
         name="courier-reassign"),
    path("track/", views.track, name="track"),
]
