from django.urls import path

from campaign.views import (
    account,
    accountability,
    directives,
    imports,
    incidents,
    jobs,
    keyperiods,
    meetings,
    people,
    plan,
    tree,
    workbench,
    workgroup,
)

app_name = "campaign"

urlpatterns = [
    path("", workbench.workbench, name="workbench"),
    # Organisation tree
    path("tree/", tree.org_tree, name="org_tree"),
    path("counties/<str:code>/", tree.county_detail, name="county_detail"),
    path("schools/", tree.school_list, name="school_list"),
    path("schools/<str:code>/", tree.school_detail, name="school_detail"),
    path("schools/<str:code>/edit/", tree.school_edit, name="school_edit"),
    # People and roles
    path("people/", people.user_list, name="user_list"),
    path("people/new/", people.user_new, name="user_new"),
    path("people/<int:pk>/", people.user_detail, name="user_detail"),
    path("people/<int:pk>/grant/", people.user_grant, name="user_grant"),
    path("people/<int:pk>/grants/<int:grant_pk>/revoke/", people.grant_revoke, name="grant_revoke"),
    path("people/<int:pk>/active/", people.user_active, name="user_active"),
    # Bulk import of schools and people from a workbook
    path("import/", imports.import_upload, name="import_upload"),
    path("import/template/<str:kind>.xlsx", imports.import_template, name="import_template"),
    # Job runs
    path("jobs/", jobs.job_list, name="job_list"),
    path("jobs/statistics/", jobs.statistics_start, name="statistics_start"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/file/", jobs.job_file, name="job_file"),
    path("jobs/<int:pk>/rerun/", jobs.job_rerun, name="job_rerun"),
    # Working groups (专项整治工作领导小组) of the city and the counties
    path("working-group/", workgroup.workgroup_overview, name="workgroup_overview"),
    path("working-group/<str:code>/", workgroup.workgroup_detail, name="workgroup_detail"),
    path("working-group/<str:code>/edit/", workgroup.workgroup_edit, name="workgroup_edit"),
    path(
        "working-group/<str:code>/people/new/",
        workgroup.workgroup_member_add,
        name="workgroup_member_add",
    ),
    path(
        "working-group/<str:code>/people/<int:pk>/edit/",
        workgroup.workgroup_member_edit,
        name="workgroup_member_edit",
    ),
    path(
        "working-group/<str:code>/people/<int:pk>/remove/",
        workgroup.workgroup_member_remove,
        name="workgroup_member_remove",
    ),
    # Student casualty incidents (S1)
    path("incidents/", incidents.incident_list, name="incident_list"),
    path("incidents/new/", incidents.incident_new, name="incident_new"),
    path("incidents/<int:pk>/", incidents.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/follow-up/", incidents.incident_follow_up, name="incident_follow_up"),
    path("incidents/<int:pk>/forward/", incidents.incident_forward, name="incident_forward"),
    path("incidents/<int:pk>/close/", incidents.incident_close, name="incident_close"),
    # The accountability record (问责 / 记录在案)
    path("accountability/", accountability.entry_list, name="accountability_list"),
    path("accountability/<int:pk>/", accountability.entry_detail, name="accountability_detail"),
    path(
        "accountability/<int:pk>/explain/",
        accountability.entry_explain,
        name="accountability_explain",
    ),
    # Key periods (S8): heightened-duty periods and their daily safety reports
    path("key-periods/", keyperiods.key_period_list, name="key_period_list"),
    path("key-periods/new/", keyperiods.key_period_new, name="key_period_new"),
    path("key-periods/<int:pk>/", keyperiods.key_period_detail, name="key_period_detail"),
    path("key-periods/<int:pk>/edit/", keyperiods.key_period_edit, name="key_period_edit"),
    path("key-periods/<int:pk>/report/", keyperiods.key_period_report, name="key_period_report"),
    path("key-periods/<int:pk>/remind/", keyperiods.key_period_remind, name="key_period_remind"),
    path("daily-reports/", keyperiods.daily_report_mine, name="daily_report_mine"),
    # Campaign documents: the action plan and its versions (S5)
    path("plans/", plan.plan_list, name="plan_list"),
    path("plans/new/", plan.plan_new, name="plan_new"),
    path("plans/<int:pk>/", plan.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/new-draft/", plan.plan_new_draft, name="plan_new_draft"),
    path("plans/<int:pk>/v<int:number>/", plan.plan_version, name="plan_version"),
    path("plans/<int:pk>/v<int:number>/edit/", plan.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/v<int:number>/comment/", plan.plan_comment, name="plan_comment"),
    path("plans/<int:pk>/v<int:number>/issue/", plan.plan_issue, name="plan_issue"),
    path("plans/<int:pk>/v<int:number>/pdf/", plan.plan_pdf, name="plan_pdf"),
    # Directives (交办事项, S2) and their receipts
    path("directives/", directives.directive_list, name="directive_list"),
    path("directives/new/", directives.directive_new, name="directive_new"),
    path("directives/<int:pk>/", directives.directive_detail, name="directive_detail"),
    path("directives/<int:pk>/remind/", directives.directive_remind, name="directive_remind"),
    path(
        "directives/<int:pk>/files/<int:file_pk>/",
        directives.attachment_download,
        name="directive_attachment",
    ),
    path(
        "directives/receipts/<int:pk>/confirm/",
        directives.receipt_confirm,
        name="directive_confirm",
    ),
    path(
        "directives/receipts/<int:pk>/pass-on/",
        directives.receipt_pass_on,
        name="directive_pass_on",
    ),
    path(
        "directives/receipts/<int:pk>/file/", directives.receipt_file, name="directive_receipt_file"
    ),
    # Meetings (S2, S3, S12): summons, leave and attendance
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/quarterly/", meetings.quarterly_status, name="meeting_quarterly"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/minutes/", meetings.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/attendance/", meetings.meeting_attendance, name="meeting_attendance"),
    path(
        "meetings/<int:pk>/files/<int:file_pk>/",
        meetings.meeting_attachment,
        name="meeting_attachment",
    ),
    path("meetings/summons/<int:pk>/leave/", meetings.summons_leave, name="meeting_leave"),
    path(
        "meetings/summons/<int:pk>/leave/decide/",
        meetings.summons_leave_decide,
        name="meeting_leave_decide",
    ),
    # The signed-in person's own settings
    path("account/", account.my_settings, name="my_settings"),
]
