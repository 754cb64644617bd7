"""The schools and people imports, on the one import engine (``core.imports``).

``columns`` holds their fields as data (the template's headings, the synonyms clerks write, the
words for categories and roles); ``schools`` and ``people`` the ``SchoolImporter`` and
``PeopleImporter`` (checks against the database in the actor's scope, all-or-nothing commit
through the ordinary services), registered in ``CampaignConfig.ready``; ``template`` the
downloadable workbook, which imports unchanged.

``schools_import`` / ``users_import`` keep the older single-step callers working: preview and
commit in one call, every problem as a ``core.workbooks.RowError`` (row as Excel numbers it,
column heading as written in the file, reason).
"""

from campaign.imports.columns import (
    CATEGORY_NAMES,
    COLUMNS,
    KINDS,
    MAX_ROWS,
    OWNERSHIP_NAMES,
    ROLE_NAMES,
    SCHOOL_COLUMNS,
    SCHOOL_SPEC,
    SCHOOLS,
    USER_COLUMNS,
    USER_SPEC,
    USERS,
    Column,
    choice_names,
)
from campaign.imports.people import PeopleImporter, users_import
from campaign.imports.schools import SchoolImporter, schools_import
from campaign.imports.template import template_workbook

__all__ = [
    "CATEGORY_NAMES",
    "COLUMNS",
    "Column",
    "KINDS",
    "MAX_ROWS",
    "OWNERSHIP_NAMES",
    "PeopleImporter",
    "ROLE_NAMES",
    "SCHOOLS",
    "SCHOOL_COLUMNS",
    "SCHOOL_SPEC",
    "SchoolImporter",
    "USERS",
    "USER_COLUMNS",
    "USER_SPEC",
    "choice_names",
    "schools_import",
    "template_workbook",
    "users_import",
]
