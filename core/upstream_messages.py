"""Django 5.2's own messages that its zh_Hans catalogue lacks, marked here for our catalogue.

Django formats these with msgids its Chinese catalogue does not have (the too-short password
error moved to ``%d``), so they showed in English. Marking them in code keeps ``makemessages``
from dropping our translations as obsolete; nothing imports this module.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

# django/contrib/auth/password_validation.py, MinimumLengthValidator
ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    8,
)
# django/db/models/fields/related.py, ForeignKey.validate
gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice.")
