"""Models of the campaign briefings (工作简报, S13) and the experience items they carry."""

__all__: list[str] = []
