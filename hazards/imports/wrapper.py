"""The register's old single-step import (preview and commit in one call)."""

from campaign.imports.onestep import import_in_one_step


def hazards_import(*, file, actor):
    """Import a register workbook or ledger: every row or none; an ``ImportResult``."""
    from hazards.imports.importer import HazardImporter

    return import_in_one_step(HazardImporter(), file=file, actor=actor)
