class DefaultLanguageMiddleware:
    """Bahasa Indonesia unless the user chose English with the switch.

    Django would otherwise follow the browser's Accept-Language; a public service in Makassar speaks
    Indonesian first, so on pages only the explicit choice (the language cookie) counts. Machines
    calling the API choose with Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
