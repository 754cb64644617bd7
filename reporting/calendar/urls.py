"""URL patterns of the calendar part; reporting/urls.py gathers them under app_name "reporting"."""

from django.urls import path

from reporting.calendar import feed, views

urlpatterns = [
    path("calendar/", views.calendar_month, name="calendar_month"),
    path("calendar/<int:year>/<int:month>/", views.calendar_month, name="calendar_month_of"),
    path("calendar/list/", views.calendar_list, name="calendar_list"),
    path("calendar/feed/rotate/", views.calendar_feed_rotate, name="calendar_feed_rotate"),
    path("calendar/feed/<str:token>.ics", feed.calendar_feed, name="calendar_feed"),
]
