"""Care pages: staff (``/staff/care/...``) and members (``/me/care/...``)."""

from django.urls import path

from care import appeals_views, member_views, report_views, staff_views

urlpatterns = [
    path("staff/care/tasks/", staff_views.staff_care_tasks, name="staff-care-tasks"),
    path("staff/care/enrollments/<int:pk>/", staff_views.staff_care, name="staff-care"),
    path(
        "staff/care/enrollments/<int:pk>/reassign/",
        staff_views.staff_care_reassign,
        name="staff-care-reassign",
    ),
    path(
        "staff/care/enrollments/<int:pk>/outreach/",
        staff_views.staff_care_outreach,
        name="staff-care-outreach",
    ),
    path(
        "staff/care/enrollments/<int:pk>/team/", staff_views.staff_care_team, name="staff-care-team"
    ),
    path(
        "staff/care/enrollments/<int:pk>/assessment/",
        staff_views.staff_care_assessment,
        name="staff-care-assessment",
    ),
    path(
        "staff/care/enrollments/<int:pk>/plan/", staff_views.staff_care_plan, name="staff-care-plan"
    ),
    path(
        "staff/care/enrollments/<int:pk>/hospital-stays/",
        staff_views.staff_care_hospital_stay,
        name="staff-care-hospital-stay",
    ),
    path(
        "staff/care/hospital-stays/<int:pk>/discharge/",
        staff_views.staff_care_hospital_discharge,
        name="staff-care-hospital-discharge",
    ),
    path(
        "staff/care/plans/<int:pk>/share/",
        staff_views.staff_care_plan_share,
        name="staff-care-plan-share",
    ),
    path(
        "staff/care/continuity/<int:pk>/decide/",
        staff_views.staff_continuity_decide,
        name="staff-continuity-decide",
    ),
    path(
        "staff/care/tasks/<int:pk>/done/",
        staff_views.staff_care_task_done,
        name="staff-care-task-done",
    ),
    path("staff/care/reports/", report_views.staff_care_reports, name="staff-care-reports"),
    path(
        "staff/care/reports/csv/",
        report_views.staff_care_reports_csv,
        name="staff-care-reports-csv",
    ),
    path("me/care/", member_views.member_care, name="member-care"),
    path("me/care/assessment/", member_views.member_care_assessment, name="member-care-assessment"),
    path("me/care/continuity/", member_views.member_continuity_new, name="member-continuity-new"),
    path("staff/care/appeals/", appeals_views.staff_appeals, name="staff-appeals"),
    path("staff/care/appeals/new/", appeals_views.staff_appeal_new, name="staff-appeal-new"),
    path(
        "staff/care/appeals/<int:pk>/resolve/",
        appeals_views.staff_appeal_resolve,
        name="staff-appeal-resolve",
    ),
    path(
        "staff/care/appeals/<int:pk>/extend/",
        appeals_views.staff_appeal_extend,
        name="staff-appeal-extend",
    ),
    path(
        "staff/care/appeals/<int:pk>/deny-expedite/",
        appeals_views.staff_appeal_deny_expedite,
        name="staff-appeal-deny-expedite",
    ),
    path("me/care/cases/", appeals_views.member_appeals, name="member-appeals"),
    path("me/care/cases/new/", appeals_views.member_appeal_new, name="member-appeal-new"),
]
