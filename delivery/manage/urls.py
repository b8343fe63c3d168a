from django.urls import path

from delivery.manage import poa_views, rating_views, views

urlpatterns = [
    path("m/<str:token>/", views.link_landing, name="manage-link"),
    path("m/<str:token>/code/", views.link_code, name="manage-link-code"),
    path("m/<str:token>/new/", views.link_renew, name="manage-link-renew"),
    path("track/r/<str:token>/manage/", views.track_code, name="manage-track-code"),
    path("manage/verify/", views.verify, name="manage-verify"),
    path("manage/verify/again/", views.verify_resend, name="manage-verify-resend"),
    path("manage/<str:code>/", views.home, name="manage-home"),
    path("manage/<str:code>/day/", views.day, name="manage-day"),
    path("manage/<str:code>/address/", views.address, name="manage-address"),
    path("manage/<str:code>/pay-difference/", views.pay_difference, name="manage-pay-difference"),
    path("manage/<str:code>/cancel/", views.cancel, name="manage-cancel"),
    path("manage/<str:code>/pickup/", views.pickup, name="manage-pickup"),
    path("manage/<str:code>/proof/<str:kind>/", views.proof_file, name="manage-proof-file"),
    path("manage/<str:code>/data.json", views.data_export, name="manage-data"),
    path("manage/<str:code>/revoke/", views.revoke, name="manage-revoke"),
    path("manage/<str:code>/leave/", views.end, name="manage-end"),
    path("manage/<str:code>/account/", views.sign_up, name="manage-sign-up"),
    path("m/<str:token>/rating/", rating_views.link_rating, name="manage-link-rating"),
    path("m/<str:token>/power-of-attorney/", poa_views.power_of_attorney, name="manage-link-poa"),
]
