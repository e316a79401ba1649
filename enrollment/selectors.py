"""Reads for applications and enrollments, always through who may see what.

A member sees only their own records; staff see only what concerns their organization's plans
(never drafts); admins see everything.
"""

from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User
from eligibility.models import Beneficiary
from eligibility.rules import InvalidIdentifier, normalize_cin, normalize_mbi
from enrollment.models import Application, ApplicationStatus, ApplicationStatusChange, Enrollment


def applications_visible_to(user: User) -> QuerySet[Application]:
    base = Application.objects.select_related(
        "beneficiary__county", "plan__organization", "determination", "approval_determination"
    ).prefetch_related(
        Prefetch(
            "status_changes", queryset=ApplicationStatusChange.objects.select_related("actor")
        ),
        Prefetch(
            "enrollments",
            queryset=Enrollment.objects.select_related("medi_medi_plan", "medi_cal_plan"),
        ),
    )
    if user.is_admin:
        return base
    org = staff_organization_id(user)
    if org is not None:
        return base.filter(plan__organization_id=org).exclude(status=ApplicationStatus.DRAFT)
    return base.filter(beneficiary__user=user)


def staff_organization_id(user: User) -> int | None:
    """The organization a staff member works for; None for anyone else."""
    return user.organization_id if user.is_plan_staff else None


def beneficiaries_visible_to(user: User) -> QuerySet[Beneficiary]:
    if user.is_admin:
        return Beneficiary.objects.all()
    org = staff_organization_id(user)
    if org is not None:
        applied = Application.objects.filter(
            beneficiary=OuterRef("pk"), plan__organization_id=org
        ).exclude(status=ApplicationStatus.DRAFT)
        enrolled = Enrollment.objects.filter(beneficiary=OuterRef("pk")).filter(
            Q(medi_medi_plan__organization_id=org) | Q(medi_cal_plan__organization_id=org)
        )
        return Beneficiary.objects.filter(Exists(applied) | Exists(enrolled))
    return Beneficiary.objects.filter(user=user)


def enrollments_visible_to(user: User) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(beneficiary__in=beneficiaries_visible_to(user)).select_related(
        "medi_medi_plan", "medi_cal_plan"
    )


def application_queue(
    user: User,
    *,
    status: str | None = None,
    plan: int | None = None,
    county: str | None = None,
    submitted_from: date | None = None,
    submitted_to: date | None = None,
    new: bool = False,
    search: str | None = None,
    date_of_birth: date | None = None,
) -> QuerySet[Application]:
    """The staff work queue with its filters. ``search`` takes an MBI, a CIN or a last name
    (a name search is narrowed by ``date_of_birth`` when given)."""
    queryset = applications_visible_to(user)
    if new:
        queryset = queryset.filter(status=ApplicationStatus.SUBMITTED)
    if status:
        queryset = queryset.filter(status=status)
    if plan:
        queryset = queryset.filter(plan_id=plan)
    if county:
        queryset = queryset.filter(
            Q(beneficiary__county__fips=county) | Q(beneficiary__county__name__iexact=county)
        )
    if submitted_from:
        queryset = queryset.filter(submitted_at__date__gte=submitted_from)
    if submitted_to:
        queryset = queryset.filter(submitted_at__date__lte=submitted_to)
    if search:
        queryset = queryset.filter(_identity_filter(search.strip()))
    if date_of_birth:
        queryset = queryset.filter(beneficiary__date_of_birth=date_of_birth)
    return queryset


def _identity_filter(text: str) -> Q:
    try:
        return Q(beneficiary__mbi=normalize_mbi(text))
    except InvalidIdentifier:
        pass
    try:
        return Q(beneficiary__cin=normalize_cin(text))
    except InvalidIdentifier:
        pass
    parts = text.split()
    if len(parts) >= 2:
        return Q(beneficiary__first_name__iexact=parts[0], beneficiary__last_name__iexact=parts[-1])
    return Q(beneficiary__last_name__iexact=text)
