"""URL patterns of the briefings part; reporting/urls.py gathers them under app_name "reporting"."""

urlpatterns: list = []
