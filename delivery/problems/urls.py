from django.urls import path

from delivery.problems import views

urlpatterns = [
    path("problems/", views.problems, name="problems"),
]
