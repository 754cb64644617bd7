"""URL patterns of the weekly report pages (filling and reading); reporting/urls.py adds them
after the review and oversight patterns, whose fixed words ("review", "status"…) would
otherwise be read as a unit code."""

from django.urls import path

from reporting.weekly import views

urlpatterns = [
    path("weekly/", views.week_mine, name="week_mine"),
    path("weekly/<str:unit_code>/<str:week_label>/", views.week_report, name="week_report"),
    path("weekly/<str:unit_code>/<str:week_label>/save/", views.week_save, name="week_save"),
    path("weekly/<str:unit_code>/<str:week_label>/submit/", views.week_submit, name="week_submit"),
    path("weekly/<str:unit_code>/<str:week_label>/files/", views.week_attach, name="week_attach"),
    path(
        "weekly/<str:unit_code>/<str:week_label>/files/<int:pk>/",
        views.week_attachment,
        name="week_attachment",
    ),
    path(
        "weekly/<str:unit_code>/<str:week_label>/files/<int:pk>/remove/",
        views.week_detach,
        name="week_detach",
    ),
]
