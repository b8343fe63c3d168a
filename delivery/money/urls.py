from django.urls import path

from delivery.money import views

urlpatterns = [
    path("money/statements/", views.statement_list, name="money-statements"),
    path("money/statements/<int:statement_id>/", views.statement_detail, name="money-statement"),
    path("money/statements/<int:statement_id>/pdf", views.statement_pdf_view, name="money-statement-pdf"),
    path("money/statements/<int:statement_id>/xlsx", views.statement_xlsx_view, name="money-statement-xlsx"),
]
