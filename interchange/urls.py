"""The eligibility imports API, under ``/api/v1/`` (``medimedi/urls.py``)."""

from django.urls import re_path

from interchange.api import ImportDetailView, ImportErrorsCsvView, ImportListView
from interchange.export_api import EnrollmentFileDownloadView, EnrollmentFileListView
from interchange.reconciliation_api import ReconciliationView

urlpatterns = [
    re_path(r"^imports/?$", ImportListView.as_view(), name="api-import-list"),
    re_path(r"^imports/(?P<pk>[0-9]+)/?$", ImportDetailView.as_view(), name="api-import-detail"),
    re_path(
        r"^imports/(?P<pk>[0-9]+)/errors\.csv$",
        ImportErrorsCsvView.as_view(),
        name="api-import-errors",
    ),
    re_path(r"^reconciliation/?$", ReconciliationView.as_view(), name="api-reconciliation"),
    re_path(
        r"^enrollment-files/?$", EnrollmentFileListView.as_view(), name="api-enrollment-file-list"
    ),
    re_path(
        r"^enrollment-files/(?P<pk>[0-9]+)/file$",
        EnrollmentFileDownloadView.as_view(),
        name="api-enrollment-file-download",
    ),
]
