"""The access matrix: every route of the URL configuration, asked by every kind of user.

Who may see and do what is decided once (``enrollment.access``); this table is the check that
pages and API agree with it. The routes come from the URL configuration itself, so a new route
without a row here fails ``test_every_route_has_a_row``. Each request runs in a savepoint that
is rolled back, so one role's action never changes what the next role finds.

Columns: anonymous, the member (owner of the record), another member, staff of the member's
plan's organization, staff of another organization, admin. Expected answers are status codes;
302 means "sent to log in" for anonymous users.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User
from eligibility.models import MediCalPlan, Organization
from enrollment.models import AuthorizedRepresentative, Enrollment, EnrollmentKind, ReviewKind
from enrollment.reviews import review_item_open
from interchange.models import EligibilityImport
from tests.auth_helpers import login_verified
from tests.enrollment.conftest import Letters, enrolled_member
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "other_member", "staff", "other_staff", "admin")


@dataclass(frozen=True)
class Ids:
    application: int
    enrollment: int
    notice: int
    beneficiary: int
    review: int


@dataclass(frozen=True)
class Row:
    method: str
    path: Callable[[Ids], str]
    expect: tuple[int, int, int, int, int, int]  # in ROLES order
    body: dict[str, Any] | None = None


def _(method: str, path: Callable[[Ids], str], *expect: int, body: Any = None) -> Row:
    assert len(expect) == len(ROLES)
    return Row(method, path, expect, body)


def _representative_id(ids: "Ids") -> int:
    """A representative of the member, made inside the request's rolled-back savepoint."""
    rep = AuthorizedRepresentative.objects.create(
        beneficiary_id=ids.beneficiary,
        name="Matrix Helper",
        relationship="Friend",
        document="Appointment of representative",
        email="helper@example.test",
        valid_from=date(2025, 1, 1),
    )
    return rep.pk


def _transfer_id(ids: "Ids") -> int:
    """A plan-wide transfer out of the member's plan (staff's organization's), rolled back."""
    from eligibility.models import MediMediPlan
    from enrollment.models import PlanTransfer

    transfer = PlanTransfer.objects.create(
        key="matrix",
        from_plan=MediMediPlan.objects.get(name="CareAdvantage"),
        to_plan=MediMediPlan.objects.get(name="SCFHP DualConnect"),
        effective_date=date(2027, 1, 1),
        status="completed",
        planned_on=date(2026, 1, 1),
    )
    return transfer.pk


def _submission_id(ids: "Ids") -> int:
    """The Medicare submission the member's approval recorded (enrollment.medicare)."""
    from enrollment.models import MedicareSubmission

    return MedicareSubmission.objects.get(enrollment_id=ids.enrollment).pk


def _enrollment_file_id() -> int:
    """An 834 export with a stored file, made inside the request's rolled-back savepoint."""
    from pathlib import Path

    from django.conf import settings

    from interchange.models import EnrollmentFileExport

    stored = Path(settings.INTERCHANGE_EXPORT_DIR) / "matrix.x12"
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(b"ISA~")
    export, _ = EnrollmentFileExport.objects.get_or_create(
        interchange_control=999_999_999,
        defaults={
            "medi_cal_plan": MediCalPlan.objects.get(state_code="MC-HPSM"),
            "period_start": date(2027, 1, 1),
            "period_end": date(2027, 1, 31),
            "file_name": "matrix.x12",
            "stored_path": str(stored),
        },
    )
    return export.pk


def _import_id() -> int:
    """An eligibility import to ask about, made inside the request's rolled-back savepoint."""
    imp, _ = EligibilityImport.objects.get_or_create(
        file_sha256="0" * 64, defaults={"format": "csv", "kind": "full", "status": "done"}
    )
    return imp.pk


def _reconciliation_query() -> str:
    """The member's plan's (Health Plan of San Mateo's) reconciliation for a month."""
    plan = MediCalPlan.objects.get(organization__code="hpsm", name="Health Plan of San Mateo")
    return f"?plan={plan.pk}&month=2027-01"


def _continuity_id(ids: "Ids") -> int:
    """A pending continuity of care request of the member (rolled back with the request)."""
    from care.models import ContinuityRequest

    return ContinuityRequest.objects.create(
        enrollment_id=ids.enrollment,
        organization=Organization.objects.get(code="hpsm"),
        provider_name="Dr. Matrix",
        npi="1234567893",
        specialty="Cardiology",
        last_seen_on=date(2024, 12, 1),
        received_on=date(2025, 2, 3),
        decision_due=date(2025, 3, 5),
    ).pk


def _continuity_end_task_id(ids: "Ids") -> int:
    """An open "continuity ending" reminder of the member (rolled back with the request)."""
    from care.models import CareCase, CareTask

    task, _ = CareTask.objects.get_or_create(
        case=CareCase.objects.get(enrollment_id=ids.enrollment),
        kind="continuity_end",
        defaults={"due_date": date(2026, 1, 1)},
    )
    return task.pk


def _hospital_stay_id(ids: "Ids") -> int:
    """A stay of the member still in hospital (rolled back with the request)."""
    from care.models import CareCase, HospitalStay

    stay, _ = HospitalStay.objects.get_or_create(
        case=CareCase.objects.get(enrollment_id=ids.enrollment),
        facility="Matrix General",
        defaults={"admitted_on": date(2025, 3, 1)},
    )
    return stay.pk


def _care_plan_id(ids: "Ids") -> int:
    """An unshared care plan of the member with one goal, as ``care_plan_write`` requires
    (rolled back with the request)."""
    import datetime

    from care.models import CareCase, CarePlan, PlanItemKind

    plan, created = CarePlan.objects.get_or_create(
        case=CareCase.objects.get(enrollment_id=ids.enrollment), revision=1
    )
    if created:
        plan.items.create(
            kind=PlanItemKind.GOAL,
            description="Walk to the store each week",
            target_date=datetime.date(2027, 3, 1),
        )
    return plan.pk


def _appeal_case_id(ids: "Ids", kind: str = "appeal") -> int:
    """An open appeal (or grievance) of the member (rolled back with the request)."""
    from care.models import AppealCase

    return AppealCase.objects.create(
        kind=kind,
        enrollment_id=ids.enrollment,
        organization=Organization.objects.get(code="hpsm"),
        channel="online",
        description="Matrix case",
        received_at="2026-01-05T10:00:00Z",
        due_at="2026-02-04T10:00:00Z",
    ).pk


# Routes outside the member-data policy (public pages, sign-in, the admin site) are listed with
# what they answer too, so nothing is left out silently.
MATRIX: dict[str, Row] = {
    # Public
    "home": _("get", lambda i: "/", 200, 200, 200, 200, 200, 200),
    "screener": _("get", lambda i: "/eligibility/", 200, 200, 200, 200, 200, 200),
    "healthz": _("get", lambda i: "/healthz", 200, 200, 200, 200, 200, 200),
    "favicon": _("get", lambda i: "/favicon.ico", 301, 301, 301, 301, 301, 301),
    "eligibility-check": _(
        "post", lambda i: "/api/v1/eligibility/check", 400, 400, 400, 400, 400, 400, body={}
    ),
    "schema": _("get", lambda i: "/api/schema/", 200, 200, 200, 200, 200, 200),
    "api-docs": _("get", lambda i: "/api/docs/", 200, 200, 200, 200, 200, 200),
    # Signing in and out, and accounts
    "login": _("get", lambda i: "/accounts/login/", 200, 200, 200, 200, 200, 200),
    # The language switch: back to "next" (the start page without one); anyone may use it.
    "set_language": _("post", lambda i: "/i18n/setlang/", *(302,) * 6),
    "admin-login": _("get", lambda i: "/admin/login/", *(200,) * 6),
    "logout": _("post", lambda i: "/accounts/logout/", 302, 302, 302, 302, 302, 302),
    "signup": _("get", lambda i: "/accounts/signup/", 200, 302, 302, 302, 302, 302),
    "password_change": _(
        "get", lambda i: "/accounts/password_change/", 302, 200, 200, 200, 200, 200
    ),
    "password_change_done": _(
        "get", lambda i: "/accounts/password_change/done/", 302, 200, 200, 200, 200, 200
    ),
    "password_reset": _("get", lambda i: "/accounts/password_reset/", *(200,) * 6),
    "password_reset_done": _("get", lambda i: "/accounts/password_reset/done/", *(200,) * 6),
    "password_reset_confirm": _("get", lambda i: "/accounts/reset/MQ/bad-token/", *(200,) * 6),
    "password_reset_complete": _("get", lambda i: "/accounts/reset/done/", *(200,) * 6),
    "auth-token": _("post", lambda i: "/api/v1/auth/token", *(400,) * 6, body={}),
    # Revokes the API token it is sent with; a browser session has none to revoke.
    "auth-logout": _("post", lambda i: "/api/v1/auth/logout", *(401,) * 6),
    # Who am I; linking a record (members only)
    "api-me": _("get", lambda i: "/api/v1/me", 401, 200, 200, 200, 200, 200),
    "api-me-link": _("post", lambda i: "/api/v1/me/link", 401, 400, 400, 403, 403, 403, body={}),
    "member-link": _("get", lambda i: "/me/link/", 302, 302, 302, 403, 403, 403),
    # Authorized representatives: the member their own; staff on a person's record in scope.
    "member-representatives": _(
        "get", lambda i: "/me/representatives/", 302, 200, 200, 403, 403, 403
    ),
    "member-representative-end": _(
        "post",
        lambda i: f"/me/representatives/{_representative_id(i)}/end/",
        *(302, 302, 404, 403, 403, 403),
    ),
    "api-me-representatives": _(
        "get", lambda i: "/api/v1/me/representatives", 401, 200, 200, 403, 403, 403
    ),
    "api-me-representative-end": _(
        "post",
        lambda i: f"/api/v1/me/representatives/{_representative_id(i)}/end",
        *(401, 200, 404, 403, 403, 403),
    ),
    "api-beneficiary-representatives": _(
        "get",
        lambda i: f"/api/v1/beneficiaries/{i.beneficiary}/representatives",
        *(401, 200, 404, 200, 404, 200),
    ),
    "api-beneficiary-representative-end": _(
        "post",
        lambda i: (
            f"/api/v1/beneficiaries/{i.beneficiary}/representatives/{_representative_id(i)}/end"
        ),
        *(401, 200, 404, 200, 404, 200),
    ),
    # The member's own pages
    "member-home": _("get", lambda i: "/me/", 302, 200, 200, 403, 403, 403),
    "member-application-new": _(
        "get", lambda i: "/me/applications/new/", 302, 200, 200, 403, 403, 403
    ),
    "member-application": _(
        "get", lambda i: f"/me/applications/{i.application}/", 302, 200, 404, 403, 403, 403
    ),
    "member-application-edit": _(
        "get", lambda i: f"/me/applications/{i.application}/edit/", 302, 302, 404, 403, 403, 403
    ),
    "member-application-withdraw": _(
        "get",
        lambda i: f"/me/applications/{i.application}/withdraw/",
        *(302, 200, 404, 403, 403, 403),
    ),
    "member-disenroll": _(
        "get", lambda i: f"/me/enrollments/{i.enrollment}/disenroll/", 302, 200, 404, 403, 403, 403
    ),
    "member-letters": _("get", lambda i: "/me/letters/", 302, 200, 200, 403, 403, 403),
    "member-letter": _("get", lambda i: f"/me/letters/{i.notice}/", 302, 200, 404, 403, 403, 403),
    "member-letter-pdf": _(
        "get", lambda i: f"/me/letters/{i.notice}/pdf", 302, 200, 404, 403, 403, 403
    ),
    "member-letter-id-card": _(
        "get", lambda i: f"/me/letters/{i.notice}/id-card", 302, 200, 404, 403, 403, 403
    ),
    # Staff pages
    None: _("get", lambda i: "/staff/", 302, 302, 302, 302, 302, 302),  # type: ignore[dict-item]
    "staff-queue": _("get", lambda i: "/staff/queue/", 302, 403, 403, 200, 200, 200),
    # Elections made elsewhere: staff and admins record them (an empty form shows its errors).
    "staff-application-new": _(
        "get", lambda i: "/staff/applications/new/", 302, 403, 403, 200, 200, 200
    ),
    "staff-application": _(
        "get", lambda i: f"/staff/applications/{i.application}/", 302, 403, 403, 200, 404, 200
    ),
    "staff-start-review": _(
        "post",
        lambda i: f"/staff/applications/{i.application}/start-review/",
        *(302, 403, 403, 302, 404, 302),
    ),
    "staff-request-info": _(
        "post",
        lambda i: f"/staff/applications/{i.application}/request-info/",
        # A refused form goes back to the application's page (302), with its errors.
        *(302, 403, 403, 302, 404, 302),
    ),
    "staff-approve": _(
        "post",
        lambda i: f"/staff/applications/{i.application}/approve/",
        *(302, 403, 403, 302, 404, 302),
    ),
    "staff-deny": _(
        "post",
        lambda i: f"/staff/applications/{i.application}/deny/",
        # A refused form goes back to the application's page (302), with its errors.
        *(302, 403, 403, 302, 404, 302),
    ),
    # The confirmation step changes nothing: it shows what will happen, or (as here, the
    # application being past approval) sends the action back to the application's page (302).
    "staff-approve-confirm": _(
        "post",
        lambda i: f"/staff/applications/{i.application}/approve/confirm/",
        *(302, 403, 403, 302, 404, 302),
    ),
    "staff-deny-confirm": _(
        "post",
        lambda i: f"/staff/applications/{i.application}/deny/confirm/",
        *(302, 403, 403, 302, 404, 302),
    ),
    "staff-disenroll-confirm": _(
        "post",
        lambda i: (
            f"/staff/applications/{i.application}/enrollments/{i.enrollment}/disenroll/confirm/"
        ),
        *(302, 403, 403, 302, 404, 302),
    ),
    "staff-withdraw-confirm": _(
        "post",
        lambda i: f"/staff/applications/{i.application}/withdraw/confirm/",
        *(302, 403, 403, 302, 404, 302),
    ),
    "staff-withdraw": _(
        "post",
        lambda i: f"/staff/applications/{i.application}/withdraw/",
        *(302, 403, 403, 302, 404, 302),
    ),
    "staff-disenroll": _(
        "post",
        lambda i: f"/staff/applications/{i.application}/enrollments/{i.enrollment}/disenroll/",
        *(302, 403, 403, 302, 404, 302),
    ),
    "staff-reviews": _("get", lambda i: "/staff/reviews/", 302, 403, 403, 200, 200, 200),
    "staff-review": _("get", lambda i: f"/staff/reviews/{i.review}/", 302, 403, 403, 200, 404, 200),
    # An empty form goes back to the item's page with its errors (302), as a filled one does.
    "staff-review-resolve": _(
        "post", lambda i: f"/staff/reviews/{i.review}/resolve/", 302, 403, 403, 302, 404, 302
    ),
    "staff-beneficiary-representatives": _(
        "get",
        lambda i: f"/staff/beneficiaries/{i.beneficiary}/representatives/",
        *(302, 403, 403, 200, 404, 200),
    ),
    "staff-representative-end": _(
        "post",
        lambda i: (
            f"/staff/beneficiaries/{i.beneficiary}/representatives/{_representative_id(i)}/end/"
        ),
        *(302, 403, 403, 302, 404, 302),
    ),
    "staff-beneficiary-letters": _(
        "get",
        lambda i: f"/staff/beneficiaries/{i.beneficiary}/letters/",
        *(302, 403, 403, 200, 404, 200),
    ),
    "staff-letter-pdf": _(
        "get",
        lambda i: f"/staff/beneficiaries/{i.beneficiary}/letters/{i.notice}/pdf/",
        *(302, 403, 403, 200, 404, 200),
    ),
    "staff-letter-id-card": _(
        "get",
        lambda i: f"/staff/beneficiaries/{i.beneficiary}/letters/{i.notice}/id-card/",
        *(302, 403, 403, 200, 404, 200),
    ),
    "staff-letter-resend": _(
        "post",
        lambda i: f"/staff/beneficiaries/{i.beneficiary}/letters/{i.notice}/resend/",
        *(302, 403, 403, 302, 404, 302),
    ),
    # The API
    "application-list": _("get", lambda i: "/api/v1/applications", 401, 200, 200, 200, 200, 200),
    "application-detail": _(
        "get", lambda i: f"/api/v1/applications/{i.application}", 401, 200, 404, 200, 404, 200
    ),
    "application-submit": _(
        "post",
        lambda i: f"/api/v1/applications/{i.application}/submit",
        *(401, 409, 404, 403, 404, 403),
    ),
    "application-start-review": _(
        "post",
        lambda i: f"/api/v1/applications/{i.application}/start-review",
        *(401, 403, 404, 409, 404, 409),
    ),
    "application-approve": _(
        "post",
        lambda i: f"/api/v1/applications/{i.application}/approve",
        *(401, 403, 404, 409, 404, 409),
    ),
    "application-deny": _(
        "post",
        lambda i: f"/api/v1/applications/{i.application}/deny",
        *(401, 403, 404, 409, 404, 409),
        body={"reasons": ["OTHER"], "note": "x"},
    ),
    "application-request-info": _(
        "post",
        lambda i: f"/api/v1/applications/{i.application}/request-info",
        *(401, 403, 404, 409, 404, 409),
        body={"note": "Send proof of address"},
    ),
    "application-withdraw": _(
        "post",
        lambda i: f"/api/v1/applications/{i.application}/withdraw",
        *(401, 409, 404, 409, 404, 409),
    ),
    # The list is for staff and admins; a member reads only their own record.
    "api-beneficiary-list": _(
        "get", lambda i: "/api/v1/beneficiaries", 401, 403, 403, 200, 200, 200
    ),
    "api-beneficiary-detail": _(
        "get", lambda i: f"/api/v1/beneficiaries/{i.beneficiary}", 401, 200, 404, 200, 404, 200
    ),
    "api-beneficiary-enrollments": _(
        "get",
        lambda i: f"/api/v1/beneficiaries/{i.beneficiary}/enrollments",
        *(401, 200, 404, 200, 404, 200),
    ),
    "api-disenroll": _(
        "post",
        lambda i: f"/api/v1/enrollments/{i.enrollment}/disenroll",
        *(401, 200, 404, 200, 404, 200),
    ),
    "api-beneficiary-notices": _(
        "get",
        lambda i: f"/api/v1/beneficiaries/{i.beneficiary}/notices",
        *(401, 200, 404, 200, 404, 200),
    ),
    "api-notice-pdf": _(
        "get", lambda i: f"/api/v1/notices/{i.notice}/pdf", 401, 200, 404, 200, 404, 200
    ),
    "api-notice-id-card": _(
        "get", lambda i: f"/api/v1/notices/{i.notice}/id-card", 401, 200, 404, 200, 404, 200
    ),
    "review-list": _("get", lambda i: "/api/v1/reviews", 401, 403, 403, 200, 200, 200),
    "review-detail": _(
        "get", lambda i: f"/api/v1/reviews/{i.review}", 401, 403, 403, 200, 404, 200
    ),
    "review-resolve": _(
        "post",
        lambda i: f"/api/v1/reviews/{i.review}/resolve",
        *(401, 403, 403, 200, 404, 200),
        body={"decision": "no_action", "note": "Checked against the state's file."},
    ),
    "api-notice-resend": _(
        "post", lambda i: f"/api/v1/notices/{i.notice}/resend", 401, 403, 403, 201, 404, 201
    ),
    # Care coordination (care/): staff of the member's plan work it, the member sees their own.
    "staff-care-tasks": _("get", lambda i: "/staff/care/tasks/", 302, 403, 403, 200, 200, 200),
    "staff-care": _(
        "get", lambda i: f"/staff/care/enrollments/{i.enrollment}/", 302, 403, 403, 200, 404, 200
    ),
    "staff-care-reassign": _(
        "post",
        lambda i: f"/staff/care/enrollments/{i.enrollment}/reassign/",
        *(302, 403, 403, 400, 404, 400),
    ),
    "staff-care-outreach": _(
        "post",
        lambda i: f"/staff/care/enrollments/{i.enrollment}/outreach/",
        *(302, 403, 403, 400, 404, 400),
    ),
    "staff-care-team": _(
        "post",
        lambda i: f"/staff/care/enrollments/{i.enrollment}/team/",
        *(302, 403, 403, 400, 404, 400),
    ),
    "staff-care-assessment": _(
        "get",
        lambda i: f"/staff/care/enrollments/{i.enrollment}/assessment/",
        *(302, 403, 403, 200, 404, 200),
    ),
    "staff-care-plan": _(
        "get",
        lambda i: f"/staff/care/enrollments/{i.enrollment}/plan/",
        *(302, 403, 403, 200, 404, 200),
    ),
    "staff-care-plan-share": _(
        "post",
        lambda i: f"/staff/care/plans/{_care_plan_id(i)}/share/",
        *(302, 403, 403, 302, 404, 302),
    ),
    "staff-continuity-decide": _(
        "post",
        lambda i: f"/staff/care/continuity/{_continuity_id(i)}/decide/",
        *(302, 403, 404, 400, 404, 400),
    ),
    "staff-care-task-done": _(
        "post",
        lambda i: f"/staff/care/tasks/{_continuity_end_task_id(i)}/done/",
        *(302, 403, 403, 302, 404, 302),
    ),
    # Hospital stays: an empty form is refused (400) once access is decided; the rest is in
    # tests/care/test_hospital_stays.py.
    "staff-care-hospital-stay": _(
        "post",
        lambda i: f"/staff/care/enrollments/{i.enrollment}/hospital-stays/",
        *(302, 403, 403, 400, 404, 400),
    ),
    "staff-care-hospital-discharge": _(
        "post",
        lambda i: f"/staff/care/hospital-stays/{_hospital_stay_id(i)}/discharge/",
        *(302, 403, 403, 400, 404, 400),
    ),
    "api-hospital-stays": _(
        "post",
        lambda i: f"/api/v1/enrollments/{i.enrollment}/care/hospital-stays",
        *(401, 403, 403, 400, 404, 400),
        body={},
    ),
    "api-hospital-stay-discharge": _(
        "post",
        lambda i: f"/api/v1/care/hospital-stays/{_hospital_stay_id(i)}/discharge",
        *(401, 403, 403, 400, 404, 400),
        body={},
    ),
    "member-care": _("get", lambda i: "/me/care/", 302, 200, 200, 403, 403, 403),
    "member-care-assessment": _(
        "get", lambda i: "/me/care/assessment/", 302, 200, 200, 403, 403, 403
    ),
    "member-continuity-new": _(
        "post", lambda i: "/me/care/continuity/", 302, 400, 404, 403, 403, 403
    ),
    "api-enrollment-care": _(
        "get", lambda i: f"/api/v1/enrollments/{i.enrollment}/care", 401, 200, 404, 200, 404, 200
    ),
    "api-care-tasks": _("get", lambda i: "/api/v1/care/tasks", 401, 403, 403, 200, 200, 200),
    # Monthly reports (care/reports.py): each staff member their organization's plans; another
    # organization's plan (404) and the numbers are in tests/test_care_reports.py.
    "staff-care-reports": _(
        "get", lambda i: "/staff/care/reports/?month=2026-11", 302, 403, 403, 200, 200, 200
    ),
    "staff-care-reports-csv": _(
        "get", lambda i: "/staff/care/reports/csv/?month=2026-11", 302, 403, 403, 200, 200, 200
    ),
    "api-care-reports": _(
        "get", lambda i: "/api/v1/care/reports?month=2026-11", 401, 403, 403, 200, 200, 200
    ),
    "api-care-reports-csv": _(
        "get", lambda i: "/api/v1/care/reports.csv?month=2026-11", 401, 403, 403, 200, 200, 200
    ),
    # An empty body is refused before the enrollment is looked at; access: tests/care/test_api.py.
    "api-continuity-requests": _(
        "post", lambda i: "/api/v1/continuity-requests", 401, 400, 400, 400, 400, 400, body={}
    ),
    # Appeals and grievances (care/appeals.py): filing with a body, cross-organization
    # resolving and the letters are in tests/care/test_appeals.py.
    "staff-appeals": _("get", lambda i: "/staff/care/appeals/", 302, 403, 403, 200, 200, 200),
    "staff-appeal-new": _(
        "post", lambda i: "/staff/care/appeals/new/", 302, 403, 403, 400, 400, 400
    ),
    "staff-appeal-resolve": _(
        "post",
        lambda i: f"/staff/care/appeals/{_appeal_case_id(i)}/resolve/",
        *(302, 403, 404, 400, 404, 400),
    ),
    "staff-appeal-extend": _(
        "post",
        lambda i: f"/staff/care/appeals/{_appeal_case_id(i)}/extend/",
        *(302, 403, 404, 400, 404, 400),
    ),
    "staff-appeal-deny-expedite": _(
        "post",
        lambda i: f"/staff/care/appeals/{_appeal_case_id(i)}/deny-expedite/",
        *(302, 403, 404, 400, 404, 400),
    ),
    "member-appeals": _("get", lambda i: "/me/care/cases/", 302, 200, 200, 403, 403, 403),
    "member-appeal-new": _("post", lambda i: "/me/care/cases/new/", 302, 400, 404, 403, 403, 403),
    "api-grievances": _("get", lambda i: "/api/v1/grievances", 401, 200, 200, 200, 200, 200),
    "api-grievance": _(
        "get",
        lambda i: f"/api/v1/grievances/{_appeal_case_id(i, 'grievance')}",
        *(401, 200, 404, 200, 404, 200),
    ),
    "api-grievance-resolve": _(
        "post",
        lambda i: f"/api/v1/grievances/{_appeal_case_id(i, 'grievance')}/resolve",
        *(401, 403, 404, 400, 404, 400),
    ),
    "api-grievance-extend": _(
        "post",
        lambda i: f"/api/v1/grievances/{_appeal_case_id(i, 'grievance')}/extend",
        *(401, 403, 404, 400, 404, 400),
    ),
    "api-grievance-deny-expedite": _(
        "post",
        lambda i: f"/api/v1/grievances/{_appeal_case_id(i, 'grievance')}/deny-expedite",
        *(401, 403, 404, 400, 404, 400),
    ),
    "api-appeals": _("get", lambda i: "/api/v1/appeals", 401, 200, 200, 200, 200, 200),
    "api-appeal": _(
        "get",
        lambda i: f"/api/v1/appeals/{_appeal_case_id(i)}",
        *(401, 200, 404, 200, 404, 200),
    ),
    "api-appeal-resolve": _(
        "post",
        lambda i: f"/api/v1/appeals/{_appeal_case_id(i)}/resolve",
        *(401, 403, 404, 400, 404, 400),
    ),
    "api-appeal-extend": _(
        "post",
        lambda i: f"/api/v1/appeals/{_appeal_case_id(i)}/extend",
        *(401, 403, 404, 400, 404, 400),
    ),
    "api-appeal-deny-expedite": _(
        "post",
        lambda i: f"/api/v1/appeals/{_appeal_case_id(i)}/deny-expedite",
        *(401, 403, 404, 400, 404, 400),
    ),
    "api-continuity-decide": _(
        "post",
        lambda i: f"/api/v1/continuity-requests/{_continuity_id(i)}/decide",
        *(401, 403, 404, 400, 404, 400),
    ),
    # Medicare's answer: staff of the member's plan and admins; members 403. An empty form
    # goes back to the application page with its errors (302), an empty body is a 400; the
    # reply upload takes multipart only (415 for this JSON body), asked of every role in
    # tests/enrollment/api/test_medicare_api.py.
    "staff-medicare-answer": _(
        "post",
        lambda i: f"/staff/applications/{i.application}/medicare/{_submission_id(i)}/answer/",
        *(302, 403, 403, 302, 404, 302),
    ),
    "staff-medicare-replies": _(
        "get", lambda i: "/staff/medicare/replies/", 302, 403, 403, 200, 200, 200
    ),
    "api-medicare-answer": _(
        "post",
        lambda i: f"/api/v1/medicare-submissions/{_submission_id(i)}/answer",
        *(401, 403, 403, 400, 404, 400),
    ),
    # Plan-wide transfers: admins, and staff of the organization the members leave.
    "api-transfer": _(
        "get", lambda i: f"/api/v1/transfers/{_transfer_id(i)}", 401, 403, 403, 200, 404, 200
    ),
    "api-transfer-unplaced": _(
        "get",
        lambda i: f"/api/v1/transfers/{_transfer_id(i)}/unplaced",
        *(401, 403, 403, 200, 404, 200),
    ),
    "api-medicare-replies": _(
        "post", lambda i: "/api/v1/medicare-replies", 401, 403, 403, 415, 415, 415
    ),
    # Eligibility imports: admins only. The upload (POST on the list's route, multipart) is
    # asked of every role in tests/interchange/test_imports_api.py.
    "api-import-list": _("get", lambda i: "/api/v1/imports", 401, 403, 403, 403, 403, 200),
    "api-import-detail": _(
        "get", lambda i: f"/api/v1/imports/{_import_id()}", 401, 403, 403, 403, 403, 200
    ),
    "api-import-errors": _(
        "get",
        lambda i: f"/api/v1/imports/{_import_id()}/errors.csv",
        *(401, 403, 403, 403, 403, 200),
    ),
    # 834 enrollment files out: admins only.
    "api-enrollment-file-list": _(
        "get", lambda i: "/api/v1/enrollment-files", 401, 403, 403, 403, 403, 200
    ),
    "api-enrollment-file-download": _(
        "get",
        lambda i: f"/api/v1/enrollment-files/{_enrollment_file_id()}/file",
        *(401, 403, 403, 403, 403, 200),
    ),
    # Reconciliation of a plan and month: staff their organization's plans, admins all.
    "staff-reconciliation": _(
        "get",
        lambda i: f"/staff/reconciliation/{_reconciliation_query()}",
        *(302, 403, 403, 200, 404, 200),
    ),
    "api-reconciliation": _(
        "get",
        lambda i: f"/api/v1/reconciliation{_reconciliation_query()}",
        *(401, 403, 403, 200, 404, 200),
    ),
}


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str | None]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue  # Django's admin site: its own permission checks, tested in test_admin
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def test_every_route_has_a_row() -> None:
    """A route added without deciding who may use it fails here."""
    routes = {name for _, name in _routes(get_resolver().url_patterns)}
    assert routes - set(MATRIX) == set()
    assert set(MATRIX) - routes - {"admin-login"} == set()


@pytest.fixture
def people(
    django_capture_on_commit_callbacks: Any, tasks_in_process: None
) -> tuple[dict[str, User | None], Ids]:
    letters: Letters = enrolled_member(django_capture_on_commit_callbacks)
    other = UserFactory()
    BeneficiaryFactory(user=other)
    users: dict[str, Any] = {
        "anonymous": None,
        "member": letters.user,
        "other_member": other,
        "staff": StaffFactory(),
        "other_staff": StaffFactory(organization=Organization.objects.get(code="lacare")),
        "admin": AdminFactory(),
    }
    enrollment = Enrollment.objects.get(
        beneficiary=letters.beneficiary, kind=EnrollmentKind.MEDI_MEDI
    )
    review = review_item_open(
        kind=ReviewKind.NOT_IN_FILE,
        beneficiary=letters.beneficiary,
        enrollment=enrollment,
        source_key="matrix",
        detail={},
    )
    return users, Ids(
        application=letters.application.pk,
        enrollment=enrollment.pk,
        notice=letters.confirmation.pk,
        beneficiary=letters.beneficiary.pk,
        review=review.pk,
    )


class _Rollback(Exception):
    pass


def _ask(user: User | None, row: Row, ids: Ids) -> int:
    client = Client()
    if user is not None:
        login_verified(client, user)
    status = 0
    try:
        with transaction.atomic():
            call = getattr(client, row.method)
            body = row.body
            if body is None and row.method == "post" and row.path(ids).startswith("/api/"):
                body = {}
            if body is not None:
                response = call(row.path(ids), body, content_type="application/json")
            else:
                response = call(row.path(ids))
            status = response.status_code
            raise _Rollback
    except _Rollback:
        pass
    return status


@pytest.mark.parametrize("name", sorted(MATRIX, key=str), ids=str)
def test_route_answers_each_role_as_the_policy_says(
    name: str, people: tuple[dict[str, User | None], Ids]
) -> None:
    users, ids = people
    row = MATRIX[name]
    answers = tuple(_ask(users[role], row, ids) for role in ROLES)
    assert answers == row.expect, f"{name}: {dict(zip(ROLES, answers, strict=True))}"


def test_signing_in_lands_staff_on_the_queue_and_members_on_their_record() -> None:
    from accounts.otp import totp_device_ensure
    from tests.auth_helpers import current_code

    member = UserFactory(username="rosa@example.test")
    staff = StaffFactory(username="staff-hpsm-test")
    device = totp_device_ensure(staff)
    member_answer = Client().post(
        "/accounts/login/", {"username": member.username, "password": "pw-for-tests-1"}
    )
    assert member_answer["Location"] == "/me/"
    staff_answer = Client().post(
        "/accounts/login/",
        {"username": staff.username, "password": "pw-for-tests-1", "otp": current_code(device)},
    )
    assert staff_answer["Location"] == "/staff/queue/"
