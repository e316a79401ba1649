from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.api import LogoutView, TokenView
from accounts.forms import PortalPasswordChangeForm, PortalPasswordResetForm, PortalSetPasswordForm
from accounts.views import LoginView, language_switch
from medimedi.health import healthz


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico whatever the page links: send them to the static icon."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


urlpatterns = [
    re_path(r"^healthz/?$", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    # The portal's login page is also the admin's, so the admin asks staff for their code too.
    path("admin/login/", LoginView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("i18n/setlang/", language_switch, name="set_language"),
    # Django's password views with the portal's forms (messages that say what to do).
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PortalPasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=PortalSetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=PortalPasswordChangeForm),
        name="password_change",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    re_path(r"^api/v1/auth/token/?$", TokenView.as_view(), name="auth-token"),
    re_path(r"^api/v1/auth/logout/?$", LogoutView.as_view(), name="auth-logout"),
    path("api/v1/", include("eligibility.api.urls")),
    path("api/v1/", include("enrollment.api.urls")),
    path("api/v1/", include("interchange.urls")),
    path("api/v1/", include("care.api_urls")),
    path("", include("enrollment.urls")),
    path("", include("interchange.page_urls")),
    path("", include("eligibility.urls")),
    path("", include("care.urls")),
]

# A path no route matches answers JSON under /api/, like every other API error.
handler404 = "medimedi.api.not_found"
