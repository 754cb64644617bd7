"""URL patterns of the calendar part; reporting/urls.py gathers them under app_name "reporting"."""

urlpatterns: list = []
