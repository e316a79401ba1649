"""Staff pages for review items: the list (``/staff/reviews/``) and one item with its resolve form.

Thin adapters over ``enrollment.reviews``: who may see or resolve an item is decided there (a
member is refused with 403, another organization's item is 404), which also audits the reads.
Every page works without JavaScript; resolving is a POST with a CSRF token.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import DomainError, Forbidden, NotFound
from accounts.form_bounce import form_bounce, form_bounced
from accounts.models import User
from enrollment import reviews
from enrollment.models import ReviewDecision, ReviewItem


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class ReviewFilterForm(forms.Form):
    """The list's filters (GET): kind and status; empty means any."""

    kind = forms.ChoiceField(label="Kind", required=False)
    status = forms.ChoiceField(label="Status", required=False)

    def __init__(
        self,
        *args: Any,
        kinds: list[tuple[str, str]],
        statuses: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        kind, status = self.fields["kind"], self.fields["status"]
        assert isinstance(kind, forms.ChoiceField) and isinstance(status, forms.ChoiceField)
        kind.choices = [("", "Any kind"), *kinds]
        status.choices = [("", "Any status"), *statuses]

    def selector_arguments(self) -> dict[str, Any]:
        return {key: value or None for key, value in self.cleaned_data.items()}


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision."},
    )
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why you decided this. It is kept in the item's history.",
        error_messages={"required": "Write a note that explains the decision."},
    )


@login_required
@require_GET
def staff_reviews(request: HttpRequest) -> HttpResponse:
    """Show the review items of the staff member's organization, soonest due first, 25 a page."""
    user = _user(request)
    kinds, statuses = reviews.review_filter_choices(actor=user)  # refuses members (403)
    filters = {key: value for key, value in request.GET.items() if key != "page"}
    # The work first: open items unless the filters ask otherwise ("Any status" shows all).
    form = ReviewFilterForm(filters or {"status": "open"}, kinds=kinds, statuses=statuses)
    page = None
    if form.is_valid():
        arguments = form.selector_arguments()
        page = reviews.review_item_page(
            actor=user, page_number=request.GET.get("page"), **arguments
        )
    return render(
        request,
        "enrollment/staff_reviews.html",
        {"form": form, "page": page, "filtered": bool(filters)},
    )


def _render_review(request: HttpRequest, pk: int, form: forms.Form | None = None) -> HttpResponse:
    view = reviews.staff_review_view(actor=_user(request), review_id=pk)
    return render(
        request,
        "enrollment/staff_reviews_detail.html",
        {
            "view": view,
            "review": view.review,
            "beneficiary": view.review.beneficiary,
            "form": form or ResolveForm(prefix="resolve"),
        },
    )


@login_required
@require_GET
def staff_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one review item: what the state's data showed, its history, the resolve form (as
    it was sent, with its errors, after a refused resolve)."""
    return _render_review(
        request, pk, form_bounced(request, page="staff-review", pk=pk).get("resolve")
    )


@login_required
@require_POST
def staff_review_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve the item with a decision and a note; a refusal goes back to the item's own URL
    with the form and its errors (never left on /resolve/)."""
    user = _user(request)
    reviews.review_item_require_visible(actor=user, review_id=pk)  # 403 / 404 before the form
    form = ResolveForm(request.POST, prefix="resolve")
    if form.is_valid():
        try:
            reviews.review_item_resolve(
                actor=user,
                review=ReviewItem(pk=pk),
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            field = exc.extra.get("field")
            if not (isinstance(field, str) and field in form.fields):
                messages.error(request, exc.message)
                return redirect("staff-review", pk=pk)
            form.add_error(field, exc.message)
        else:
            messages.success(request, "The review item is resolved.")
            return redirect("staff-review", pk=pk)
    return form_bounce(request, form, page="staff-review", pk=pk)
