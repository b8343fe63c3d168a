from django.urls import path

from delivery.custody import views

urlpatterns = [
    path("orders/<str:code>/lost/", views.lost_case, name="custody-lost-case"),
    path("custody/lost/", views.lost_cases, name="custody-lost-cases"),
    path("custody/lost/<str:number>/police-report", views.police_report, name="custody-police-report"),
]
