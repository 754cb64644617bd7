"""Database helpers with no campaign knowledge: answering PostgreSQL's serialisation conflicts.

Two transactions that lock the same rows in opposite orders deadlock, and PostgreSQL aborts
one of them (SQLSTATE 40P01); at REPEATABLE READ or SERIALIZABLE it also aborts a transaction
whose reads went stale (40001). Either way nothing was written and running the same work again
is the documented answer. ``retry_on_conflict`` does that for a unit of work that owns its
transaction; when it still fails, the caller gets ``Busy``, a ``Conflict`` whose message tells
the user that nothing was changed, which views already show like any refused step.
"""

import functools
import random
import time

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.utils.translation import gettext as _

from core.errors import Conflict

# deadlock_detected, serialization_failure
SERIALIZATION_FAILURES = frozenset({"40P01", "40001"})


class Busy(Conflict):
    """Other work held the same rows, again and again: nothing was changed."""


def is_serialization_failure(exc):
    """True for an error PostgreSQL raised to break a deadlock or a serialisation conflict."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return code in SERIALIZATION_FAILURES


def busy():
    return Busy(
        _(
            "Someone else was changing the same records at that moment. Nothing was changed; "
            "please try again."
        ),
        code="busy",
    )


def retry_on_conflict(func=None, *, attempts=3, using=DEFAULT_DB_ALIAS):
    """Run ``func`` (which opens its own transaction, e.g. a ``@transaction.atomic`` service)
    again when PostgreSQL aborted it for a deadlock or a serialisation failure, up to
    ``attempts`` times with a short random pause; then raise ``Busy``.

    Inside an outer transaction nothing is retried (the aborted transaction belongs to the
    caller, who alone can run it again): the error goes up unchanged.
    """

    def decorate(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            if connections[using].in_atomic_block:
                return function(*args, **kwargs)
            attempt = 1
            while True:
                try:
                    return function(*args, **kwargs)
                except OperationalError as exc:
                    if not is_serialization_failure(exc):
                        raise
                    if attempt >= attempts:
                        raise busy() from exc
                # Apart at random, so that the two transactions do not meet again at once.
                time.sleep(random.uniform(0.01, 0.05) * attempt)
                attempt += 1

        return run

    return decorate(func) if func is not None else decorate
