from django.urls import path

from delivery.orders import views

urlpatterns = [
    path("orders/<str:code>/", views.order_detail, name="order-detail"),
    path("orders/<str:code>/move/<str:action>/", views.order_move, name="order-move"),
    path("orders/<str:code>/proof/<str:kind>/", views.order_proof_file, name="order-proof-file"),
]
