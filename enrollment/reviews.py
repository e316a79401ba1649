"""Review items: changes in the state's data that a person must look at and decide.

Opening is idempotent by ``source_key`` (an import run twice opens no second item), so the
importer and the daily jobs may call it freely. Reads and the resolve action live beside it.
"""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from eligibility.models import Beneficiary, Organization
from enrollment.models import Enrollment, ReviewItem, ReviewItemChange, ReviewStatus


def review_item_open(
    *,
    kind: str,
    beneficiary: Beneficiary | int,
    source_key: str,
    detail: dict[str, Any],
    enrollment: Enrollment | None = None,
    organization: Organization | int | None = None,
    due_date: date | None = None,
) -> ReviewItem:
    """Open a review item once per ``source_key``; a second call returns the first item.

    The organization defaults to the enrollment's plan's organization (its staff decide); with
    neither, the item is the program admins'.
    """
    beneficiary_id = beneficiary if isinstance(beneficiary, int) else beneficiary.pk
    organization_id = organization if isinstance(organization, int | None) else organization.pk
    if organization_id is None and enrollment is not None:
        plan = enrollment.medi_medi_plan or (enrollment.medi_cal_plan)
        organization_id = plan.organization_id if plan is not None else None
    existing = ReviewItem.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            item = ReviewItem.objects.create(
                kind=kind,
                beneficiary_id=beneficiary_id,
                enrollment=enrollment,
                organization_id=organization_id,
                due_date=due_date,
                detail=detail,
                source_key=source_key,
            )
            ReviewItemChange.objects.create(review=item, to_status=ReviewStatus.OPEN)
    except IntegrityError:
        # Opened by a concurrent run between the check and the insert.
        return ReviewItem.objects.get(source_key=source_key)
    return item
