from django.urls import path

from core import views, views_imports, views_schedules

app_name = "core"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
    # Importing a workbook (schools, people, the hazard register): upload → preview → commit
    path("import/u/<uuid:public_id>/", views_imports.import_preview, name="import_preview"),
    path("import/u/<uuid:public_id>/mapping/", views_imports.import_mapping, name="import_mapping"),
    path("import/u/<uuid:public_id>/sheet/", views_imports.import_sheet, name="import_sheet"),
    path(
        "import/u/<uuid:public_id>/errors.xlsx", views_imports.import_errors, name="import_errors"
    ),
    path("import/u/<uuid:public_id>/file/", views_imports.import_file, name="import_file"),
    path("import/u/<uuid:public_id>/commit/", views_imports.import_commit, name="import_commit"),
    path("import/<slug:kind>/", views_imports.import_start, name="import_start"),
    # The city administrator's "run now" page of the periodic tasks
    path("schedules/", views_schedules.schedule_list, name="schedule_list"),
    path("schedules/run/", views_schedules.schedule_run_now, name="schedule_run_now"),
    path("import/<slug:kind>/template.xlsx", views_imports.import_template, name="import_template"),
]
