from django.urls import path

from partners import views

urlpatterns = [
    path("", views.partners_home, name="partners-home"),
    path("dashboard/", views.dashboard, name="partners-dashboard"),
    path("dashboard/export.csv", views.dashboard_csv, name="partners-dashboard-csv"),
    path("dashboard/export.xlsx", views.dashboard_xlsx, name="partners-dashboard-xlsx"),
    path("dashboard/report.pdf", views.dashboard_pdf, name="partners-dashboard-pdf"),
    path("uptake/", views.uptake_enter, name="partners-uptake"),
    path("agreements/", views.agreement_list, name="partners-agreements"),
    path("agreements/<int:pk>/", views.agreement_detail, name="partners-agreement"),
    path("evaluations/", views.evaluation_list, name="partners-evaluations"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="partners-evaluation"),
    path("disputes/", views.dispute_list, name="partners-disputes"),
    path("disputes/<int:pk>/", views.dispute_detail, name="partners-dispute"),
    path("disputes/<int:pk>/close/", views.dispute_close_confirm, name="partners-dispute-close"),
]
