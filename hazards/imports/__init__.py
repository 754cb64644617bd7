"""The register's import on the one import engine (``core.imports``): its fields as data
(``fields``), what a row names found in the database (``lookup``) and the ``HazardImporter``
(``importer``), registered in ``HazardsConfig.ready``.

``hazards_import`` keeps the register's old single-step import page working: preview and commit
in one call, with the problems as ``core.workbooks.RowError``s.
"""

from hazards.imports.fields import MAX_ROWS, SPEC
from hazards.imports.wrapper import hazards_import

__all__ = ["MAX_ROWS", "SPEC", "hazards_import"]
