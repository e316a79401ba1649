from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from medimedi.health import healthz

urlpatterns = [
    re_path(r"^healthz/?$", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("eligibility.api.urls")),
    path("api/v1/", include("enrollment.api.urls")),
    path("", include("enrollment.urls")),
    path("", include("eligibility.urls")),
]
