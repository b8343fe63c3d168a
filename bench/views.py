from django.http import HttpResponse


def bare(request):
    """The framework's ceiling: a Django view that returns a constant."""
    return HttpResponse(b"ok", content_type="text/plain")
