"""URL patterns of the weekly oversight part; reporting/urls.py gathers them under app_name
"reporting"."""

urlpatterns: list = []
