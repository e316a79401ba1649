"""Forms for member accounts: signing up with an email address and a password."""

from typing import Any

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm

from accounts.models import Role, User


class SignupForm(BaseUserCreationForm):
    """Create a member login whose username is the email address, lower-cased.

    Django's password validators run against the new user (``BaseUserCreationForm``), so a
    password too like the email address is refused.
    """

    email = forms.EmailField(
        label="Email address",
        help_text="You will use it to log in. We also send messages about your application to it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta:
        model = User
        fields = ("email",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = "Choose a password"
        self.fields["password2"].label = "Type the same password again"

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(username__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email address already exists. Log in instead.",
                code="duplicate",
            )
        # Set before the password validators run, so they compare the password with it.
        self.instance.username = email
        return email

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        user.username = user.email = self.cleaned_data["email"]
        user.role = Role.MEMBER
        if commit:
            user.save()
        return user
