"""Unannounced inspections. Plans, visits, circulars and notices are addressed by their random
``code`` (never an integer id), so that no one can walk the ids to learn a plan exists."""

from django.urls import path

from inspections.views import checklists, circulars, plans, sw, visits

app_name = "inspections"

urlpatterns = [
    # Plans (team and city supervisors only)
    path("", plans.plan_list, name="plan_list"),
    path("plans/new/", plans.plan_new, name="plan_new"),
    path("plans/<str:code>/", plans.plan_detail, name="plan_detail"),
    path("plans/<str:code>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<str:code>/team/", plans.plan_team, name="plan_team"),
    path("plans/<str:code>/draw/", plans.plan_draw, name="plan_draw"),
    path("plans/<str:code>/targets/", plans.plan_targets, name="plan_targets"),
    path("plans/<str:code>/rechecks/", plans.plan_rechecks, name="plan_rechecks"),
    path("plans/<str:code>/seal/", plans.plan_seal, name="plan_seal"),
    path("plans/<str:code>/audit/", plans.plan_audit, name="plan_audit"),
    path("plans/<str:code>/finish/", plans.plan_finish, name="plan_finish"),
    path("plans/<str:code>/circular/", circulars.circular_new, name="circular_new"),
    # Visits (the team; the school's units once the visit has started)
    path("visits/", visits.visit_list, name="visit_list"),
    # The visit pages' service worker: here, so that its scope is /inspections/visits/.
    path("visits/sw.js", sw.visit_sw, name="visit_sw"),
    path("visits/<str:code>/", visits.visit_detail, name="visit_detail"),
    path("visits/<str:code>/state/", visits.visit_state, name="visit_state"),
    path("visits/<str:code>/start/", visits.visit_start, name="visit_start"),
    path("visits/<str:code>/answer/", visits.visit_answer, name="visit_answer"),
    path("visits/<str:code>/photo/", visits.visit_photo, name="visit_photo"),
    path("visits/<str:code>/finish/", visits.visit_finish, name="visit_finish"),
    path("visits/<str:code>/amend/", visits.visit_amend, name="visit_amend"),
    path("photos/<str:code>/", visits.photo_download, name="photo_download"),
    path("schools/<str:code>/", visits.school_history, name="school_history"),
    # Checklists (city administrators edit; import through core's import flow, kind "checklists")
    path("checklists/", checklists.checklist_list, name="checklist_list"),
    path("checklists/<slug:code>/", checklists.checklist_detail, name="checklist_detail"),
    path("checklists/<slug:code>/edit/", checklists.checklist_edit, name="checklist_edit"),
    path("checklists/<slug:code>/export/", checklists.checklist_export, name="checklist_export"),
    # Circulars and rectification notices
    path("circulars/", circulars.circular_list, name="circular_list"),
    path("circulars/<str:code>/", circulars.circular_detail, name="circular_detail"),
    path("circulars/<str:code>/edit/", circulars.circular_edit, name="circular_edit"),
    path("circulars/<str:code>/publish/", circulars.circular_publish, name="circular_publish"),
    path("circulars/<str:code>/pdf/", circulars.circular_pdf, name="circular_pdf"),
    path("notices/", circulars.notice_list, name="notice_list"),
    path("notices/<str:code>/", circulars.notice_detail, name="notice_detail"),
]
