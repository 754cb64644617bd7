"""Middleware of the portal itself."""

from django.middleware.locale import LocaleMiddleware


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the person chose English with the switch (the language cookie).

    The browser's Accept-Language is ignored on purpose: bureau PCs often run English-language
    systems, and the campaign's users read Chinese.
    """

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
