"""Domain exceptions: what services raise instead of HTTP answers; the portal turns them into
pages (``core.middleware.DomainErrorMiddleware``).

- ``OutOfScope``: the object is outside what the actor may see. Answered exactly like an object
  that does not exist (404), so that nobody learns it is there.
- ``NotPermitted``: in scope, but the actor may not do this (403). A ``PermissionDenied``, so
  that Django's own handling applies wherever it is raised.
- ``Conflict``: the object is no longer in a state that allows the action; its message is for
  the user (someone else acted meanwhile).
"""

from django.core.exceptions import PermissionDenied, ValidationError


class OutOfScope(Exception):
    """Out of the actor's sight: answered like a missing object."""


class NotPermitted(PermissionDenied):
    """In the actor's sight, but not theirs to do."""


class Conflict(ValidationError):
    """The state changed under the actor; nothing was done."""
