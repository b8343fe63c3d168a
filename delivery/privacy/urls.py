from django.urls import path

from delivery.privacy import views

urlpatterns = [
    path("me/data.json", views.my_data_export, name="my-data-export"),
]
