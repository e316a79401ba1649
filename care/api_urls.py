from django.urls import re_path

from care.api import (
    CareTaskListView,
    ContinuityCreateView,
    ContinuityDecideView,
    EnrollmentCareView,
)

urlpatterns = [
    re_path(
        r"^enrollments/(?P<pk>[0-9]+)/care/?$",
        EnrollmentCareView.as_view(),
        name="api-enrollment-care",
    ),
    re_path(r"^care/tasks/?$", CareTaskListView.as_view(), name="api-care-tasks"),
    re_path(
        r"^continuity-requests/?$", ContinuityCreateView.as_view(), name="api-continuity-requests"
    ),
    re_path(
        r"^continuity-requests/(?P<pk>[0-9]+)/decide/?$",
        ContinuityDecideView.as_view(),
        name="api-continuity-decide",
    ),
]
