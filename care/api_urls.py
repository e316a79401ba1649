from django.urls import re_path

from care import appeals_api, report_api
from care.api import (
    CareTaskListView,
    ContinuityCreateView,
    ContinuityDecideView,
    EnrollmentCareView,
    HospitalStayCreateView,
    HospitalStayDischargeView,
)

urlpatterns = [
    re_path(
        r"^enrollments/(?P<pk>[0-9]+)/care/?$",
        EnrollmentCareView.as_view(),
        name="api-enrollment-care",
    ),
    re_path(
        r"^enrollments/(?P<pk>[0-9]+)/care/hospital-stays/?$",
        HospitalStayCreateView.as_view(),
        name="api-hospital-stays",
    ),
    re_path(
        r"^care/hospital-stays/(?P<pk>[0-9]+)/discharge/?$",
        HospitalStayDischargeView.as_view(),
        name="api-hospital-stay-discharge",
    ),
    re_path(r"^care/tasks/?$", CareTaskListView.as_view(), name="api-care-tasks"),
    re_path(
        r"^care/reports\.csv$",
        report_api.MonthlyReportCsvView.as_view(),
        name="api-care-reports-csv",
    ),
    re_path(r"^care/reports/?$", report_api.MonthlyReportView.as_view(), name="api-care-reports"),
    re_path(
        r"^continuity-requests/?$", ContinuityCreateView.as_view(), name="api-continuity-requests"
    ),
    re_path(
        r"^continuity-requests/(?P<pk>[0-9]+)/decide/?$",
        ContinuityDecideView.as_view(),
        name="api-continuity-decide",
    ),
    re_path(r"^grievances/?$", appeals_api.GrievanceListView.as_view(), name="api-grievances"),
    re_path(
        r"^grievances/(?P<pk>[0-9]+)/?$",
        appeals_api.GrievanceDetailView.as_view(),
        name="api-grievance",
    ),
    re_path(
        r"^grievances/(?P<pk>[0-9]+)/resolve/?$",
        appeals_api.GrievanceResolveView.as_view(),
        name="api-grievance-resolve",
    ),
    re_path(
        r"^grievances/(?P<pk>[0-9]+)/extend/?$",
        appeals_api.GrievanceExtendView.as_view(),
        name="api-grievance-extend",
    ),
    re_path(
        r"^grievances/(?P<pk>[0-9]+)/deny-expedite/?$",
        appeals_api.GrievanceDenyExpediteView.as_view(),
        name="api-grievance-deny-expedite",
    ),
    re_path(r"^appeals/?$", appeals_api.AppealListView.as_view(), name="api-appeals"),
    re_path(
        r"^appeals/(?P<pk>[0-9]+)/?$", appeals_api.AppealDetailView.as_view(), name="api-appeal"
    ),
    re_path(
        r"^appeals/(?P<pk>[0-9]+)/resolve/?$",
        appeals_api.AppealResolveView.as_view(),
        name="api-appeal-resolve",
    ),
    re_path(
        r"^appeals/(?P<pk>[0-9]+)/extend/?$",
        appeals_api.AppealExtendView.as_view(),
        name="api-appeal-extend",
    ),
    re_path(
        r"^appeals/(?P<pk>[0-9]+)/deny-expedite/?$",
        appeals_api.AppealDenyExpediteView.as_view(),
        name="api-appeal-deny-expedite",
    ),
]
