"""Staff pages of the interchange app (the admin's import pages are in ``interchange.admin``)."""

from django.urls import path

from interchange.reconciliation_views import staff_reconciliation

urlpatterns = [
    path("staff/reconciliation/", staff_reconciliation, name="staff-reconciliation"),
]
