from django.urls import path

from delivery import views

urlpatterns = [
    path("orders/<str:code>/", views.order_detail, name="order-detail"),
    path("orders/<str:code>/move/<str:action>/", views.order_move, name="order-move"),
    path("orders/<str:code>/courier/", views.order_assign_courier, name="order-assign-courier"),
    path("courier/", views.courier_run, name="courier-run"),
    path("track/", views.track, name="track"),
]
