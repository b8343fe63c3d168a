from django.urls import path, register_converter

from complaints import views as v
from core.fields import SecretPathConverter

# A link whose secret has other characters than a generated one is a 404 before any view compares it.
register_converter(SecretPathConverter, "secret")

urlpatterns = [
    path("", v.complaint_new, name="complaint-new"),
    path("t/<str:ticket>/<secret:secret>/", v.complaint_thread, name="complaint-thread"),
    path("t/<str:ticket>/<secret:secret>/photo/", v.complaint_photo_public, name="complaint-photo"),
    path("order/<str:code>/", v.complaint_order_list, name="complaint-order"),
    path("staff/", v.complaint_queue, name="complaint-queue"),
    path("staff/<str:ticket>/", v.complaint_staff_detail, name="complaint-staff-detail"),
    path("staff/<str:ticket>/close/", v.complaint_close_confirm, name="complaint-close"),
    path("staff/<str:ticket>/photo/", v.complaint_photo_staff, name="complaint-staff-photo"),
]
