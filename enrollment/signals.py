"""Copies kept in step with their source when a row is saved outside a service.

``Application.county`` is the person's county and ``Application.search_last_name`` their
last-name search key, kept on the application so the staff queue can filter either on an index
with the submission date. A person's county changes through the monthly
eligibility file (the loader copies it set-based) or an admin's correction of the record (a
plain ``Beneficiary.save``; a change of name likewise): this receiver copies both then, one
``UPDATE`` of that person's applications whose copy differs.
"""

from typing import Any

from eligibility.models import Beneficiary
from enrollment.models import Application


def beneficiary_saved(sender: type[Beneficiary], instance: Beneficiary, **kwargs: Any) -> None:
    if kwargs.get("created") or kwargs.get("raw"):
        return  # a new person has no applications yet; fixtures are loaded as they are
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not {"county", "search_last_name"} & set(update_fields):
        return
    Application.objects.filter(beneficiary_id=instance.pk).exclude(
        county_id=instance.county_id, search_last_name=instance.search_last_name
    ).update(county_id=instance.county_id, search_last_name=instance.search_last_name)
