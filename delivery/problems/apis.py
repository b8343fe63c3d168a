"""The problems queue over the API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from core.api import ErrorSerializer
from delivery.problems import selectors as sel


# Only used with many=True (a queryset in), which the stubs do not model: no type argument.
class ProblemOutput(serializers.Serializer):
    order = serializers.CharField(source="order.code", allow_null=True, default=None)
    complaint = serializers.CharField(source="complaint.ticket", allow_null=True, default=None)
    statement = serializers.IntegerField(source="statement_id", allow_null=True, default=None)
    kind = serializers.CharField()
    status_at_flag = serializers.CharField()
    responsible_role = serializers.CharField()
    responsible_office = serializers.CharField(source="responsible_office.name")
    flagged_at = serializers.DateTimeField()
    notified_at = serializers.DateTimeField(allow_null=True)


class ProblemListApi(APIView):
    @extend_schema(
        summary="The problems queue (agency managers of both agencies)",
        responses={200: ProblemOutput(many=True), 403: ErrorSerializer},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(ProblemOutput(sel.problems_queue(request.user)[:200], many=True).data)
