"""Account pages: logging in (with a one-time code for staff and admins) and member sign-up."""

import django_otp
from django.contrib.auth import login
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import translation
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from accounts import ratelimit
from accounts.access import home_route
from accounts.forms import LoginForm, SignupForm
from accounts.middleware import session_clock_start
from accounts.services import member_account_create, member_signup_attempt, user_language_set


class LoginView(DjangoLoginView):
    """Django's login page with ``LoginForm``; a verified code marks the session verified.

    Also the Django admin's login page (``/admin/login/`` routes here), so the admin asks for
    the code too.
    """

    form_class = LoginForm
    authentication_form = LoginForm
    template_name = "registration/login.html"

    def get_default_redirect_url(self) -> str:
        """Without a ``next``, land where the role works: the queue or the member's record."""
        return resolve_url(home_route(self.request.user))  # type: ignore[arg-type]

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        if form.otp_device is not None:
            django_otp.login(self.request, form.otp_device)
        session_clock_start(self.request)
        return response


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create a member account, log it in and send it on to link the person's record.

    Each client address may create ``SIGNUP_ATTEMPTS_PER_HOUR`` accounts an hour. Only a post
    that would create one counts (or one refused because the address has an account, so the
    form cannot probe for addresses without limit): a person's empty form, weak password or
    typo does not use up the allowance of everyone behind the same network address.
    """
    if request.user.is_authenticated:
        return redirect("member-home")
    form = SignupForm(request.POST or None)
    valid = request.method == "POST" and form.is_valid()
    if valid or (request.method == "POST" and form.email_taken()):
        member_signup_attempt(client_address=ratelimit.client_address(request))
    if valid:
        user = member_account_create(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            language=translation.get_language() or "",
        )
        login(request, user, backend="accounts.backends.CaseInsensitiveUsernameBackend")
        session_clock_start(request)
        return redirect("member-link")
    return render(request, "registration/signup.html", {"form": form})


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """The language switch on every page: Django's ``set_language`` (the cookie, then back to
    ``next``), and for a signed-in user the choice is kept on the account too."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and translation.check_for_language(language):
        user_language_set(user=request.user, language=language)
    return response
