"""Turn the services' domain exceptions into the portal's answers (DESIGN §3: services raise
domain exceptions, never HTTP ones)."""

from django.core.handlers.exception import response_for_exception
from django.http import Http404

from core.errors import OutOfScope


class DomainErrorMiddleware:
    """An ``OutOfScope`` that reaches the view layer is answered exactly like a missing object:
    the portal's 404 page. (``NotPermitted`` is a ``PermissionDenied``: Django answers 403.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OutOfScope):
            return response_for_exception(request, Http404())
        return None
