"""The one import engine shared by the schools, people and hazard register imports (issue 7).

It reads a workbook as clerks keep it (title rows, merged cells, formulas, several sheets),
finds the header, proposes a mapping from the file's headings to an importer's fields, parses
every row into a ``Preview`` and writes the error workbook. It knows no models: each app hands
it an ``Importer`` (``core.imports.registry``) with its fields as data.
"""
