from django.urls import path

from delivery.pickup import views

urlpatterns = [
    path("orders/<str:code>/branch-handover/", views.branch_handover, name="pickup-handover"),
]
