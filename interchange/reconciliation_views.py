"""The staff reconciliation page, ``/staff/reconciliation/?plan=&month=``: one Medi-Cal plan's
discrepancies with the state's file of a month.

A thin adapter over ``interchange.reconciliation``: the plans offered, who may see a plan
(staff their organization's, admins all; a member 403, another organization's plan 404) and
the read audit are decided there. A GET form (so a page can be bookmarked), without JavaScript.
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.errors import DomainError
from accounts.models import User
from interchange import reconciliation


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class ReconciliationForm(forms.Form):
    """Which plan and month to show; the selector decides whether the plan may be seen."""

    plan = forms.CharField(label="Medi-Cal plan", widget=forms.Select)
    month = forms.CharField(
        label="Month of the state's file",
        help_text="Written YYYY-MM, for example 2027-01.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, plans: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].widget.choices = [("", "Choose a plan"), *plans]
        self.arguments: tuple[int, date] | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            self.arguments = reconciliation.reconciliation_arguments(
                plan=cleaned.get("plan"), month=cleaned.get("month")
            )
        except DomainError as error:
            fields = error.extra.get("fields")
            for name, message in (fields if isinstance(fields, dict) else {}).items():
                self.add_error(name, str(message))
        return cleaned


@login_required
@require_GET
def staff_reconciliation(request: HttpRequest) -> HttpResponse:
    """Show a plan's discrepancies for a month (counts by kind, 25 rows a page)."""
    user = _user(request)
    plans = reconciliation.reconciliation_plans(actor=user)  # refuses members (403)
    filters = {key: value for key, value in request.GET.items() if key != "page"}
    form = ReconciliationForm(filters or None, plans=[(str(plan.pk), plan.name) for plan in plans])
    view = None
    months: list[Any] = []
    if form.is_bound and form.is_valid() and form.arguments is not None:
        plan_id, month = form.arguments
        view = reconciliation.reconciliation_view(
            actor=user, plan_id=plan_id, month=month, page_number=request.GET.get("page")
        )
        months = reconciliation.reconciliation_months(actor=user, plan_id=plan_id)
    kinds = reconciliation.kind_labels()
    return render(
        request,
        "interchange/staff_reconciliation.html",
        {
            "form": form,
            "view": view,
            "months": months,
            "counts": [(label, view.counts[kind]) for kind, label in kinds] if view else [],
            "kind_labels": dict(kinds),
        },
    )
