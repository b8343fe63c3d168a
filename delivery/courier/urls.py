from django.urls import path

from delivery.courier import views

urlpatterns = [
    path("courier/", views.courier_run, name="courier-run"),
    path("courier/take/", views.courier_take, name="courier-take"),
    path("courier/run-sheet.pdf", views.courier_run_sheet, name="courier-run-sheet"),
    path("courier/sw.js", views.courier_service_worker, name="courier-sw"),
    path("courier/dispatcher/", views.dispatcher_board_view, name="courier-board"),
    path(
        "courier/dispatcher/couriers/<int:pk>/run-sheet.pdf",
        views.dispatcher_run_sheet,
        name="courier-board-run-sheet",
    ),
    path("courier/dispatcher/<str:code>/move/", views.dispatcher_reassign, name="courier-reassign"),
    path("orders/<str:code>/courier/", views.order_assign_courier, name="order-assign-courier"),
    path("orders/<str:code>/code-unlock/", views.order_code_unlock, name="order-code-unlock"),
]
