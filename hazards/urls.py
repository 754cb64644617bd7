from django.urls import path

from hazards.views import hazard, overview, register

app_name = "hazards"

urlpatterns = [
    # The register: list, filters, bulk actions, Excel
    path("", register.hazard_list, name="hazard_list"),
    path("export.xlsx", register.hazard_export, name="hazard_export"),
    path("bulk/", register.hazard_bulk, name="hazard_bulk"),
    path("import/", register.hazard_import, name="hazard_import"),
    path("import/template.xlsx", register.hazard_import_template, name="hazard_import_template"),
    # Overviews: year-end target (S6) and zero-data units (S7)
    path("year-end/", overview.year_end, name="hazard_year_end"),
    path("zero-data/", overview.zero_data, name="hazard_zero_data"),
    # One hazard
    path("new/", hazard.hazard_new, name="hazard_new"),
    path("<str:code>/", hazard.hazard_detail, name="hazard_detail"),
    path("<str:code>/edit/", hazard.hazard_edit, name="hazard_edit"),
    path("<str:code>/act/<str:action>/", hazard.hazard_transition, name="hazard_transition"),
    path("<str:code>/comment/", hazard.hazard_comment, name="hazard_comment"),
    path("<str:code>/files/", hazard.hazard_upload, name="hazard_upload"),
    path("<str:code>/files/<int:pk>/", hazard.evidence_download, name="evidence_download"),
    path("<str:code>/meeting/", hazard.hazard_meeting, name="hazard_meeting"),
]
