"""URL patterns of the weekly review pages; reporting/urls.py adds them."""

from django.urls import path

from reporting.weekly import review_views

urlpatterns = [
    path("weekly/review/", review_views.week_review, name="week_review"),
    path("weekly/review/<str:week_label>/", review_views.week_review, name="week_review_week"),
    path(
        "weekly/<str:unit_code>/<str:week_label>/accept/",
        review_views.week_accept,
        name="week_accept",
    ),
    path(
        "weekly/<str:unit_code>/<str:week_label>/return/",
        review_views.week_return,
        name="week_return",
    ),
]
