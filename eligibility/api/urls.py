from django.urls import re_path

from eligibility.api.views import EligibilityCheckView

urlpatterns = [
    re_path(r"^eligibility/check/?$", EligibilityCheckView.as_view(), name="eligibility-check"),
]
