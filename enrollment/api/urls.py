from django.urls import re_path
from rest_framework.routers import DefaultRouter

from enrollment.api.beneficiaries import BeneficiaryDetailView, BeneficiaryListView
from enrollment.api.intake import (
    BeneficiaryRepresentativeEndView,
    BeneficiaryRepresentativesView,
    MeRepresentativeEndView,
    MeRepresentativesView,
)
from enrollment.api.medicare import MedicareAnswerView, MedicareRepliesView
from enrollment.api.notices import (
    BeneficiaryNoticesView,
    NoticeIdCardView,
    NoticePdfView,
    NoticeResendView,
)
from enrollment.api.reviews import ReviewItemViewSet
from enrollment.api.transfers import TransferDetailView, TransferUnplacedView
from enrollment.api.views import (
    ApplicationViewSet,
    BeneficiaryEnrollmentsView,
    DisenrollView,
    LinkView,
    MeView,
)

router = DefaultRouter()
router.trailing_slash = "/?"  # the path works with and without a trailing slash
router.include_root_view = False
router.register("applications", ApplicationViewSet, basename="application")
router.register("reviews", ReviewItemViewSet, basename="review")

urlpatterns = [
    re_path(r"^me/?$", MeView.as_view(), name="api-me"),
    re_path(r"^me/link/?$", LinkView.as_view(), name="api-me-link"),
    re_path(
        r"^me/representatives/?$", MeRepresentativesView.as_view(), name="api-me-representatives"
    ),
    re_path(
        r"^me/representatives/(?P<rep_pk>[0-9]+)/end/?$",
        MeRepresentativeEndView.as_view(),
        name="api-me-representative-end",
    ),
    re_path(
        r"^beneficiaries/(?P<pk>[0-9]+)/representatives/?$",
        BeneficiaryRepresentativesView.as_view(),
        name="api-beneficiary-representatives",
    ),
    re_path(
        r"^beneficiaries/(?P<pk>[0-9]+)/representatives/(?P<rep_pk>[0-9]+)/end/?$",
        BeneficiaryRepresentativeEndView.as_view(),
        name="api-beneficiary-representative-end",
    ),
    re_path(r"^beneficiaries/?$", BeneficiaryListView.as_view(), name="api-beneficiary-list"),
    re_path(
        r"^beneficiaries/(?P<pk>[0-9]+)/?$",
        BeneficiaryDetailView.as_view(),
        name="api-beneficiary-detail",
    ),
    re_path(
        r"^beneficiaries/(?P<pk>[0-9]+)/enrollments/?$",
        BeneficiaryEnrollmentsView.as_view(),
        name="api-beneficiary-enrollments",
    ),
    re_path(
        r"^enrollments/(?P<pk>[0-9]+)/disenroll/?$", DisenrollView.as_view(), name="api-disenroll"
    ),
    re_path(
        r"^beneficiaries/(?P<pk>[0-9]+)/notices/?$",
        BeneficiaryNoticesView.as_view(),
        name="api-beneficiary-notices",
    ),
    re_path(r"^notices/(?P<pk>[0-9]+)/pdf/?$", NoticePdfView.as_view(), name="api-notice-pdf"),
    re_path(
        r"^notices/(?P<pk>[0-9]+)/id-card/?$", NoticeIdCardView.as_view(), name="api-notice-id-card"
    ),
    re_path(
        r"^notices/(?P<pk>[0-9]+)/resend/?$", NoticeResendView.as_view(), name="api-notice-resend"
    ),
    re_path(
        r"^medicare-submissions/(?P<pk>[0-9]+)/answer/?$",
        MedicareAnswerView.as_view(),
        name="api-medicare-answer",
    ),
    re_path(r"^medicare-replies/?$", MedicareRepliesView.as_view(), name="api-medicare-replies"),
    re_path(r"^transfers/(?P<pk>[0-9]+)/?$", TransferDetailView.as_view(), name="api-transfer"),
    re_path(
        r"^transfers/(?P<pk>[0-9]+)/unplaced/?$",
        TransferUnplacedView.as_view(),
        name="api-transfer-unplaced",
    ),
    *router.urls,
]
