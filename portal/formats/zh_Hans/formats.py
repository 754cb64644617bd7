"""Simplified Chinese numbers as the bureau writes them: groups of three with a comma
(152,133), as in its reports and as UI.md asks. Django's zh_Hans format has no separator and
groups of four; everything else (dates, input formats) stays Django's."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
