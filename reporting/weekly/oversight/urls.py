"""URL patterns of the weekly oversight part; reporting/urls.py gathers them under app_name
"reporting"."""

from django.urls import path

from reporting.weekly.oversight import views

urlpatterns = [
    path("weekly/status/", views.week_status, name="week_status"),
    path("weekly/status/<str:week_label>/", views.week_status, name="week_status_week"),
    path("weekly/status/<str:week_label>/remind/", views.week_remind, name="week_remind"),
    path("weekly/empty/<str:week_label>/", views.week_empty, name="week_empty"),
    path("weekly/summaries/", views.week_summaries, name="week_summaries"),
    path("weekly/summaries/<int:pk>/rerun/", views.week_summary_rerun, name="week_summary_rerun"),
]
