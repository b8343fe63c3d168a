"""The public tracking page: the lookup form (posted, so the date of birth or the NIK digits never
reach an address, a browser's history or a server log) and the order's page behind a signed link."""

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.middleware import client_ip
from delivery.tracking import services as tracking
from delivery.tracking.forms import TrackForm


# A lookup changes nothing and the page is public: without a CSRF token, the pages carry nothing
# per visitor and can be cached. A forged cross-site lookup only spends the lookup lock's tries.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """The lookup: the tracking code plus the date of birth or the last 4 digits of the NIK, posted.
    An address may carry the code alone (the messages' links); anything else in it is not read."""
    if request.method != "POST":
        form = TrackForm(initial={"code": request.GET.get("code", "")})
        return render(request, "delivery/track.html", {"form": form})
    form = TrackForm(request.POST)
    client = client_ip(request)
    valid = form.is_valid()
    code = form.cleaned_data["code"] if valid else ""
    blocked, _cached = tracking.tracking_cached_lookup(client=client, code=code, page_key="track:none")
    if blocked:
        form.add_error(None, _("Too many unsuccessful attempts. Please wait 15 minutes and try again."))
        return render(request, "delivery/track.html", {"form": form}, status=429)
    if not valid:
        return render(request, "delivery/track.html", {"form": form}, status=400)
    birth_date = form.cleaned_data["birth_date"]
    nik_last4 = "" if birth_date else form.cleaned_data["nik_last4"]
    if not tracking.tracking_matches(code=code, birth_date=birth_date, nik_last4=nik_last4):
        tracking.tracking_record_failure(client=client, code=code)
        form.add_error(None, _("No delivery matches this tracking code and date of birth or NIK digits."))
        return render(request, "delivery/track.html", {"form": form}, status=404)
    link = reverse("track-result", kwargs={"token": tracking.tracking_link_make(code)})
    return HttpResponseRedirect(link, status=303)


@require_http_methods(["GET", "HEAD"])
def track_result(request: HttpRequest, token: str) -> HttpResponse:
    """The order's page behind the link a matching lookup gave; an expired or altered link asks
    for the lookup again."""
    try:
        code = tracking.tracking_link_read(token)
    except signing.SignatureExpired:
        return _link_refused(request, _("This tracking link has expired. Enter your details again."), 410)
    except signing.BadSignature:
        return _link_refused(request, _("This tracking link is not valid. Enter your details again."), 404)
    cacheable = not request.user.is_authenticated  # a logged-in page carries the user's menu
    key = tracking.tracking_link_page_key(code=code, language=get_language())
    if cacheable and (cached := cache.get(key)) is not None:
        return HttpResponse(cached)
    page = tracking.tracking_page_linked(code)
    if page is None:  # the order is gone (anonymised and removed): as an altered link
        return _link_refused(request, _("This tracking link is not valid. Enter your details again."), 404)
    form = TrackForm(initial={"code": code})
    response = render(request, "delivery/track.html", {"form": form, "page": page})
    if cacheable:
        cache.set(key, response.content, timeout=settings.TRACKING_PAGE_CACHE_SECONDS)
    return response


def _link_refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    context = {"form": TrackForm(), "link_error": message}
    return render(request, "delivery/track.html", context, status=status)
