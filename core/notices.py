"""How a notification reads: each app registers a renderer per notification kind.

A notification stores its kind and parameters (``Notification.params``); it is rendered when
it is shown, in the language active at that moment (the reader's page, or the portal's
language in an e-mail). A kind nobody registered (an app removed, an old row) falls back to the
text stored when it was written.
"""

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

# kind -> render(params) -> str
_renderers: dict[str, Callable] = {}


def register(kind: str, render: Callable) -> None:
    """Register (or replace, so that registering twice is harmless) the renderer of ``kind``."""
    _renderers[kind] = render


def render_params(kind, params):
    """The text of a notice of ``kind`` with ``params``, or None when no renderer knows it."""
    render = _renderers.get(kind)
    if render is None:
        return None
    try:
        return str(render(params or {}))
    except (KeyError, TypeError, ValueError):  # params written by an older version
        log.warning("notification kind %s could not be rendered from %r", kind, params)
        return None


def render(notification):
    """The notification's text in the active language."""
    text = render_params(notification.kind, notification.params)
    return text if text is not None else notification.text
