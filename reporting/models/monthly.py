"""Models of the monthly reports."""

__all__: list[str] = []
