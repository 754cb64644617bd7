"""URL patterns of the weekly part; reporting/urls.py gathers them under app_name "reporting"."""

urlpatterns: list = []
