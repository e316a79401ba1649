from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.api import LogoutView, TokenView
from accounts.views import LoginView
from medimedi.health import healthz

urlpatterns = [
    re_path(r"^healthz/?$", healthz, name="healthz"),
    # The portal's login page is also the admin's, so the admin asks staff for their code too.
    path("admin/login/", LoginView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    re_path(r"^api/v1/auth/token/?$", TokenView.as_view(), name="auth-token"),
    re_path(r"^api/v1/auth/logout/?$", LogoutView.as_view(), name="auth-logout"),
    path("api/v1/", include("eligibility.api.urls")),
    path("api/v1/", include("enrollment.api.urls")),
    path("api/v1/", include("interchange.urls")),
    path("", include("enrollment.urls")),
    path("", include("eligibility.urls")),
]

# A path no route matches answers JSON under /api/, like every other API error.
handler404 = "medimedi.api.not_found"
