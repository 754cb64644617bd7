"""URL patterns of the monthly part; reporting/urls.py gathers them under app_name "reporting"."""

from django.urls import path

from reporting.monthly import views

urlpatterns = [
    path("monthly/", views.month_index, name="month_index"),
    path("monthly/template/", views.month_template, name="month_template"),
    path("monthly/county/<str:code>/", views.month_status, name="month_status"),
    path(
        "monthly/county/<str:code>/<str:label>/download/",
        views.month_download,
        name="month_download",
    ),
    path(
        "monthly/county/<str:code>/<str:label>/confirm/",
        views.month_confirm,
        name="month_confirm",
    ),
    path("monthly/county/<str:code>/<str:label>/rerun/", views.month_rerun, name="month_rerun"),
    path("monthly/<str:label>/", views.month_overview, name="month_overview"),
]
