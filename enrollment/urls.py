"""Page URLs for members (``/me/...``), staff (``/staff/...``) and signup."""

from django.urls import path, re_path
from django.views.generic import RedirectView

from accounts.views import signup
from enrollment import intake_views, letters, medicare_views, review_views, views

urlpatterns = [
    path("accounts/signup/", signup, name="signup"),
    path("me/", views.member_home, name="member-home"),
    path("me/link/", views.member_link, name="member-link"),
    path("me/applications/new/", views.application_new, name="member-application-new"),
    path("me/applications/<int:pk>/", views.application_detail, name="member-application"),
    path("me/applications/<int:pk>/edit/", views.application_edit, name="member-application-edit"),
    path(
        "me/applications/<int:pk>/withdraw/",
        views.application_withdraw,
        name="member-application-withdraw",
    ),
    path("me/enrollments/<int:pk>/disenroll/", views.member_disenroll, name="member-disenroll"),
    path(
        "me/representatives/",
        intake_views.member_representatives,
        name="member-representatives",
    ),
    path(
        "me/representatives/<int:pk>/end/",
        intake_views.member_representative_end,
        name="member-representative-end",
    ),
    path("me/letters/", letters.member_letters, name="member-letters"),
    path("me/letters/<int:pk>/", letters.member_letter, name="member-letter"),
    re_path(
        r"^me/letters/(?P<pk>[0-9]+)/pdf/?$", letters.member_letter_pdf, name="member-letter-pdf"
    ),
    re_path(
        r"^me/letters/(?P<pk>[0-9]+)/id-card/?$",
        letters.member_letter_id_card,
        name="member-letter-id-card",
    ),
    path("staff/", RedirectView.as_view(pattern_name="staff-queue", permanent=False)),
    path("staff/queue/", views.staff_queue, name="staff-queue"),
    path(
        "staff/applications/new/",
        intake_views.staff_application_new,
        name="staff-application-new",
    ),
    path("staff/applications/<int:pk>/", views.staff_application, name="staff-application"),
    path(
        "staff/applications/<int:pk>/start-review/",
        views.staff_start_review,
        name="staff-start-review",
    ),
    path(
        "staff/applications/<int:pk>/request-info/",
        views.staff_request_info,
        name="staff-request-info",
    ),
    path("staff/applications/<int:pk>/approve/", views.staff_approve, name="staff-approve"),
    path(
        "staff/applications/<int:pk>/approve/confirm/",
        views.staff_approve_confirm,
        name="staff-approve-confirm",
    ),
    path("staff/applications/<int:pk>/deny/", views.staff_deny, name="staff-deny"),
    path(
        "staff/applications/<int:pk>/deny/confirm/",
        views.staff_deny_confirm,
        name="staff-deny-confirm",
    ),
    path("staff/applications/<int:pk>/withdraw/", views.staff_withdraw, name="staff-withdraw"),
    path(
        "staff/applications/<int:pk>/withdraw/confirm/",
        views.staff_withdraw_confirm,
        name="staff-withdraw-confirm",
    ),
    path(
        "staff/applications/<int:pk>/enrollments/<int:enrollment_pk>/disenroll/",
        views.staff_disenroll,
        name="staff-disenroll",
    ),
    path(
        "staff/applications/<int:pk>/enrollments/<int:enrollment_pk>/disenroll/confirm/",
        views.staff_disenroll_confirm,
        name="staff-disenroll-confirm",
    ),
    path(
        "staff/applications/<int:pk>/medicare/<int:submission_pk>/answer/",
        medicare_views.staff_medicare_answer,
        name="staff-medicare-answer",
    ),
    path(
        "staff/medicare/replies/",
        medicare_views.staff_medicare_replies,
        name="staff-medicare-replies",
    ),
    path("staff/reviews/", review_views.staff_reviews, name="staff-reviews"),
    path("staff/reviews/<int:pk>/", review_views.staff_review, name="staff-review"),
    path(
        "staff/reviews/<int:pk>/resolve/",
        review_views.staff_review_resolve,
        name="staff-review-resolve",
    ),
    path(
        "staff/beneficiaries/<int:pk>/representatives/",
        intake_views.staff_representatives,
        name="staff-beneficiary-representatives",
    ),
    path(
        "staff/beneficiaries/<int:pk>/representatives/<int:rep_pk>/end/",
        intake_views.staff_representative_end,
        name="staff-representative-end",
    ),
    path(
        "staff/beneficiaries/<int:pk>/letters/",
        letters.staff_letters,
        name="staff-beneficiary-letters",
    ),
    path(
        "staff/beneficiaries/<int:pk>/letters/<int:notice_pk>/pdf/",
        letters.staff_letter_pdf,
        name="staff-letter-pdf",
    ),
    path(
        "staff/beneficiaries/<int:pk>/letters/<int:notice_pk>/id-card/",
        letters.staff_letter_id_card,
        name="staff-letter-id-card",
    ),
    path(
        "staff/beneficiaries/<int:pk>/letters/<int:notice_pk>/resend/",
        letters.staff_letter_resend,
        name="staff-letter-resend",
    ),
]
