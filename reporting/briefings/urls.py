"""URL patterns of the briefings part; reporting/urls.py gathers them under app_name "reporting"."""

from django.urls import path

from reporting.briefings.views import issues, items

urlpatterns: list = [
    path("briefings/", issues.briefing_list, name="briefing_list"),
    path("briefings/new/", issues.briefing_new, name="briefing_new"),
    path("briefings/<int:pk>/", issues.briefing_detail, name="briefing_detail"),
    path("briefings/<int:pk>/edit/", issues.briefing_edit, name="briefing_edit"),
    path("briefings/<int:pk>/publish/", issues.briefing_publish, name="briefing_publish"),
    path("briefings/<int:pk>/pdf/", issues.briefing_pdf, name="briefing_pdf"),
    path("briefings/experience/", items.item_list, name="briefing_item_list"),
    path("briefings/experience/new/", items.item_new, name="briefing_item_new"),
    path("briefings/experience/<int:pk>/", items.item_detail, name="briefing_item_detail"),
    path(
        "briefings/experience/<int:pk>/photos/<int:photo_pk>/",
        items.item_photo,
        name="briefing_item_photo",
    ),
]
