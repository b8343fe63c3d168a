"""The public tracking page."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.middleware import client_ip
from delivery.tracking import services as tracking
from delivery.tracking.forms import TrackForm


def track(request: HttpRequest) -> HttpResponse:
    """Public lookup: the tracking code plus the date of birth or the last 4 digits of the NIK."""
    if "birth_date" not in request.GET and "nik_last4" not in request.GET:
        form = TrackForm(initial={"code": request.GET.get("code", "")})
        return render(request, "delivery/track.html", {"form": form})
    form = TrackForm(request.GET)
    client = client_ip(request)
    valid = form.is_valid()
    cacheable = valid and not request.user.is_authenticated  # a logged-in page carries a CSRF token
    key = code = ""
    if valid:
        code = form.cleaned_data["code"]
        birth_date = form.cleaned_data["birth_date"]
        nik_last4 = "" if birth_date else form.cleaned_data["nik_last4"]
        key = tracking.tracking_page_key(
            code=code, birth_date=birth_date, nik_last4=nik_last4, language=get_language()
        )
    blocked, cached = tracking.tracking_cached_lookup(client=client, code=code, page_key=key or "track:none")
    if blocked:
        form.add_error(None, _("Too many unsuccessful attempts. Please wait 15 minutes and try again."))
        return render(request, "delivery/track.html", {"form": form}, status=429)
    if not valid:
        return render(request, "delivery/track.html", {"form": form}, status=400)
    if cacheable and cached is not None:
        return HttpResponse(cached)
    page = tracking.tracking_lookup(code=code, birth_date=birth_date, nik_last4=nik_last4)
    if page is None:
        tracking.tracking_record_failure(client=client, code=code)
        form.add_error(None, _("No delivery matches this tracking code and date of birth or NIK digits."))
        return render(request, "delivery/track.html", {"form": form}, status=404)
    response = render(request, "delivery/track.html", {"form": form, "page": page})
    if cacheable:
        cache.set(key, response.content, timeout=settings.TRACKING_PAGE_CACHE_SECONDS)
    return response
