"""Account pages: member signup (login and logout are Django's own views)."""

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import SignupForm
from accounts.services import audit_record


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create a member account, log it in and send it on to link the person's record."""
    if request.user.is_authenticated:
        return redirect("member-home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        audit_record(actor=user, action="create", object_type="user", object_id=user.pk)
        login(request, user, backend="accounts.backends.CaseInsensitiveUsernameBackend")
        return redirect("member-link")
    return render(request, "registration/signup.html", {"form": form})
