"""URL patterns of the monthly part; reporting/urls.py gathers them under app_name "reporting"."""

urlpatterns: list = []
