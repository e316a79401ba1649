"""The eligibility imports API, under ``/api/v1/`` (``medimedi/urls.py``)."""

from django.urls import re_path

from interchange.api import ImportDetailView, ImportErrorsCsvView, ImportListView

urlpatterns = [
    re_path(r"^imports/?$", ImportListView.as_view(), name="api-import-list"),
    re_path(r"^imports/(?P<pk>[0-9]+)/?$", ImportDetailView.as_view(), name="api-import-detail"),
    re_path(
        r"^imports/(?P<pk>[0-9]+)/errors\.csv$",
        ImportErrorsCsvView.as_view(),
        name="api-import-errors",
    ),
]
