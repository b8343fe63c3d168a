from django.urls import path

from partners import complaint_views as v

urlpatterns = [
    path("", v.complaint_new, name="complaint-new"),
    path("t/<str:ticket>/<str:secret>/", v.complaint_thread, name="complaint-thread"),
    path("t/<str:ticket>/<str:secret>/photo/", v.complaint_photo_public, name="complaint-photo"),
    path("staff/", v.complaint_queue, name="complaint-queue"),
    path("staff/<str:ticket>/", v.complaint_staff_detail, name="complaint-staff-detail"),
    path("staff/<str:ticket>/close/", v.complaint_close_confirm, name="complaint-close"),
    path("staff/<str:ticket>/photo/", v.complaint_photo_staff, name="complaint-staff-photo"),
]
