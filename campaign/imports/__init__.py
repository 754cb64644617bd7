"""Bulk import of schools and of people from an Excel workbook (openpyxl).

A workbook is read in memory and never stored. Every row is checked first; if any row is bad
nothing is imported and every problem is reported as (row as Excel numbers it, column header as
written in the file, reason). Otherwise all rows are written in one transaction through the
ordinary services, so an import is audited exactly like the same changes made by hand.

The first sheet holds the data, with one header row. A header cell may be the Chinese column
name of the template or the column's English code name, in any order.
"""

from campaign.imports.columns import (
    CATEGORY_NAMES,
    COLUMNS,
    KINDS,
    MAX_ROWS,
    OWNERSHIP_NAMES,
    ROLE_NAMES,
    SCHOOL_COLUMNS,
    SCHOOLS,
    USER_COLUMNS,
    USERS,
    Column,
    choice_names,
)
from campaign.imports.people import (
    users_import,
)
from campaign.imports.reading import (
    parse_workbook,
)
from campaign.imports.schools import (
    schools_import,
)
from campaign.imports.template import (
    template_workbook,
)

__all__ = [
    "CATEGORY_NAMES",
    "COLUMNS",
    "Column",
    "KINDS",
    "MAX_ROWS",
    "OWNERSHIP_NAMES",
    "ROLE_NAMES",
    "SCHOOLS",
    "SCHOOL_COLUMNS",
    "USERS",
    "USER_COLUMNS",
    "choice_names",
    "parse_workbook",
    "schools_import",
    "template_workbook",
    "users_import",
]
