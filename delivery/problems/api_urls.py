from django.urls import path

from delivery.problems import apis

urlpatterns = [
    path("problems/", apis.ProblemListApi.as_view(), name="api-problems"),
]
