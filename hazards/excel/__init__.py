"""Excel for the hazard register: export of a filtered list and import of a register workbook
(openpyxl). ``export``: write-only, rows streamed from ``values_list()`` in chunks, a large
export as a job run; ``imports``: checked rows, all or nothing; ``template``: the workbook to
fill in.
"""

from hazards.excel.export import (
    EXPORT_JOB,
    export_file_name,
    export_headers,
    export_job,
    export_request,
    export_rows,
    export_scope,
    export_sync_limit,
    export_workbook,
)
from hazards.excel.imports import (
    BOOL_NAMES,
    COLUMNS,
    LEVEL_NAMES,
    MAX_ROWS,
    SOURCE_NAMES,
    Column,
    hazards_import,
)
from hazards.excel.template import (
    template_workbook,
)

__all__ = [
    "BOOL_NAMES",
    "COLUMNS",
    "Column",
    "EXPORT_JOB",
    "LEVEL_NAMES",
    "MAX_ROWS",
    "SOURCE_NAMES",
    "export_file_name",
    "export_headers",
    "export_job",
    "export_request",
    "export_rows",
    "export_scope",
    "export_sync_limit",
    "export_workbook",
    "hazards_import",
    "template_workbook",
]
