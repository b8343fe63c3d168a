"""The applicant's own data, downloaded."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from accounts.http import AuthenticatedHttpRequest
from delivery.privacy.services import applicant_data_export


@login_required
@never_cache
def my_data_export(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The applicant downloads what the portal holds about them (JSON)."""
    data = applicant_data_export(user=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="antar-paspor-data-saya.json"'
    return response
