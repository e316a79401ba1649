"""Forms for accounts: signing in (with a one-time code for staff) and member sign-up."""

from typing import Any

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    BaseUserCreationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from accounts.lockout import login_failure_record
from accounts.models import User
from accounts.otp import otp_verify, second_factor_required


class LoginForm(AuthenticationForm):
    """Email address (or staff username) and password; plan staff and admins add a code.

    The password is checked first (django-axes refuses a locked-out username before that).
    For someone who needs a second factor, a missing or wrong code refuses the sign-in and
    counts as a failed attempt, like a wrong password.
    """

    otp = forms.CharField(
        label=_("6-digit code (plan staff and administrators)"),
        help_text=_("From your authenticator app. Members leave this empty."),
        required=False,
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Enter the email address and password of your account. The password must match "
            "exactly, capital letters too."
        ),
        # OTP_REQUIRED_MESSAGE (the API's words), in the page's language.
        "otp_required": _("Enter the 6-digit code from your authenticator app."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.otp_device: Device | None = None
        self.fields["username"].label = _("Email address")
        self.fields["username"].error_messages["required"] = _("Enter your email address")
        self.fields["password"].error_messages["required"] = _("Enter your password")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and second_factor_required(user):
            device = otp_verify(user, cleaned.get("otp"))
            if device is None:
                if self.request is not None:
                    login_failure_record(self.request, username=cleaned.get("username") or "")
                self.user_cache = None
                raise forms.ValidationError(
                    self.error_messages["otp_required"], code="otp_required"
                )
            self.otp_device = device
        return cleaned


class SignupForm(BaseUserCreationForm):
    """Check a new member login: a free email address (the username) and a good password.

    Django's password validators run against the new user (``BaseUserCreationForm``), so a
    password too like the email address is refused. ``accounts.services.member_account_create``
    creates the account.
    """

    email = forms.EmailField(
        label=_("Email address"),
        help_text=_(
            "You will use it to log in. We also send messages about your application to it."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address like name@example.com"),
        },
    )

    class Meta:
        model = User
        fields = ("email",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("Choose a password")
        self.fields["password1"].error_messages["required"] = _("Choose a password")
        self.fields["password2"].label = _("Type the same password again")
        self.fields["password2"].error_messages["required"] = _("Type the same password again")

    def validate_password_for_user(self, user: Any, **kwargs: Any) -> None:
        # A weak password is said under the field where it was chosen (Django puts it under
        # the repeat field).
        super().validate_password_for_user(user, password_field_name="password1")  # type: ignore[misc]

    def email_taken(self) -> bool:
        """Whether the form was refused because an account already has this email address."""
        return any(error.code == "duplicate" for error in self.errors.as_data().get("email", []))

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(username__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email address already exists. Log in instead."),
                code="duplicate",
            )
        # Set before the password validators run, so they compare the password with it.
        self.instance.username = email
        return email


# The password pages' forms with messages that say what to do (Django's say "This field is
# required."); the views are Django's (medimedi/urls.py).


class PortalPasswordResetForm(PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Email address")
        self.fields["email"].error_messages.update(
            {
                "required": _("Enter the email address you signed up with"),
                "invalid": _("Enter an email address like name@example.com"),
            }
        )


def _new_password_messages(form: forms.Form) -> None:
    form.fields["new_password1"].label = _("Choose a new password")
    form.fields["new_password1"].error_messages["required"] = _("Choose a new password")
    form.fields["new_password2"].label = _("Type the same password again")
    form.fields["new_password2"].error_messages["required"] = _("Type the same password again")


class PortalSetPasswordForm(SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _new_password_messages(self)

    def validate_password_for_user(self, user: Any, password_field_name: str = "") -> None:
        # A weak password is said under the field where it was chosen, not the repeat field.
        super().validate_password_for_user(user, "new_password1")


class PortalPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Your current password")
        self.fields["old_password"].error_messages["required"] = _("Enter your current password")
        _new_password_messages(self)

    def validate_password_for_user(self, user: Any, password_field_name: str = "") -> None:
        # A weak password is said under the field where it was chosen, not the repeat field.
        super().validate_password_for_user(user, "new_password1")
