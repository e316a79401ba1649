"""Staff pages: the work queue and the application page with its actions."""

import html
import re
from datetime import date
from typing import Any

import pytest
from django.test import Client

from accounts.models import AuditEvent, User
from eligibility.models import County, MediMediPlan, Organization
from enrollment import services
from enrollment.models import Application, ApplicationStatus, Enrollment
from tests.auth_helpers import login_verified
from tests.enrollment.conftest import at
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def logged_in(user: User) -> Client:
    client = Client()
    return login_verified(client, user)


def queue_ids(response: Any) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/staff/applications/(\d+)/"', text(response))]


@pytest.fixture
def careadvantage() -> MediMediPlan:
    return MediMediPlan.objects.get(name="CareAdvantage")


@pytest.fixture
def staff() -> User:
    return StaffFactory()


def member(**fields: Any) -> User:
    user = UserFactory()
    BeneficiaryFactory(user=user, **fields)
    return user


def submitted(plan: MediMediPlan, user: User | None = None, *, day: int = 27) -> Application:
    user = user or member()
    draft = services.application_create(beneficiary=user.beneficiary, actor=user, plan=plan)
    return services.application_submit(application=draft, actor=user, now=at(2026, 11, day))


# --- The queue -----------------------------------------------------------------------------


def test_queue_shows_only_the_organizations_non_draft_applications(
    staff: User, careadvantage: MediMediPlan
) -> None:
    mine = submitted(careadvantage)
    draft_user = member()
    services.application_create(
        beneficiary=draft_user.beneficiary, actor=draft_user, plan=careadvantage
    )
    la_member = member(county=County.objects.get(name="Los Angeles"))
    submitted(MediMediPlan.objects.get(name="L.A. Care Medicare Plus"), la_member)
    response = logged_in(staff).get("/staff/queue/")
    assert response.status_code == 200
    assert queue_ids(response) == [mine.pk]
    page = text(response)
    assert "<caption>" in page
    assert '<th scope="col">Status (latest change)</th>' in page
    assert ">Submitted</span>, <time" in page


def test_admins_see_every_organizations_applications(careadvantage: MediMediPlan) -> None:
    mine = submitted(careadvantage)
    la_member = member(county=County.objects.get(name="Los Angeles"))
    theirs = submitted(MediMediPlan.objects.get(name="L.A. Care Medicare Plus"), la_member)
    assert set(queue_ids(logged_in(AdminFactory()).get("/staff/queue/"))) == {mine.pk, theirs.pk}


QUEUE_CASES: list[tuple[str, list[int]]] = [
    ("status=submitted", [2, 1]),
    ("status=approved", [0]),
    ("new=on", [2, 1]),
    ("county=06081", [2, 1, 0]),
    ("county=06037", []),
    ("submitted_from=2026-11-26&submitted_to=2026-11-26", [1]),
    ("submitted_from=2026-11-26", [2, 1]),
    ("submitted_to=2026-11-25", [0]),
]


@pytest.mark.parametrize(("query", "expected"), QUEUE_CASES, ids=[q for q, _ in QUEUE_CASES])
def test_queue_honours_each_filter(
    staff: User, careadvantage: MediMediPlan, query: str, expected: list[int]
) -> None:
    apps = [submitted(careadvantage, day=day) for day in (25, 26, 27)]
    services.application_approve(application=apps[0], actor=staff)
    response = logged_in(staff).get(f"/staff/queue/?{query}")
    assert response.status_code == 200
    assert queue_ids(response) == [apps[i].pk for i in expected]


def test_queue_plan_filter_lists_only_the_organizations_plans(
    staff: User, careadvantage: MediMediPlan
) -> None:
    app = submitted(careadvantage)
    client = logged_in(staff)
    page = text(client.get("/staff/queue/"))
    plan_select = re.search(r'<select name="plan".*?</select>', page)
    assert plan_select
    assert "CareAdvantage" in plan_select.group(0)
    assert "L.A. Care Medicare Plus" not in plan_select.group(0)
    assert queue_ids(client.get(f"/staff/queue/?plan={careadvantage.pk}")) == [app.pk]
    other_plan = MediMediPlan.objects.get(name="L.A. Care Medicare Plus")
    refused = client.get(f"/staff/queue/?plan={other_plan.pk}")
    assert queue_ids(refused) == []
    assert 'href="#id_plan"' in text(refused)  # not a choice: an error, not someone else's queue


def test_queue_searches_by_mbi_cin_and_name_with_birth_date(
    staff: User, careadvantage: MediMediPlan
) -> None:
    rosa = member(first_name="Rosa", last_name="Quintero", date_of_birth=date(1948, 2, 3))
    mine = submitted(careadvantage, rosa)
    submitted(careadvantage)
    client = logged_in(staff)
    person = rosa.beneficiary
    dashed = f"{person.mbi[:4]}-{person.mbi[4:7]}-{person.mbi[7:]}".lower()
    assert queue_ids(client.get("/staff/queue/", {"q": dashed})) == [mine.pk]
    assert queue_ids(client.get("/staff/queue/", {"q": person.cin})) == [mine.pk]
    assert queue_ids(client.get("/staff/queue/", {"q": "Rosa Quintero"})) == [mine.pk]
    found = client.get("/staff/queue/", {"q": "quintero", "date_of_birth": "1948-02-03"})
    assert queue_ids(found) == [mine.pk]
    other_day = client.get("/staff/queue/", {"q": "quintero", "date_of_birth": "1948-02-04"})
    assert queue_ids(other_day) == []


def test_bad_filters_show_errors_linked_to_their_fields(staff: User) -> None:
    response = logged_in(staff).get(
        "/staff/queue/",
        {"status": "nope", "submitted_from": "2026-11-27", "submitted_to": "2026-11-01"},
    )
    page = text(response)
    assert 'role="alert"' in page
    assert 'href="#id_status"' in page
    assert 'href="#id_submitted_to"' in page


def test_queue_is_paged_by_25_and_page_links_keep_the_filters(
    staff: User, careadvantage: MediMediPlan
) -> None:
    for _ in range(27):
        submitted(careadvantage)
    client = logged_in(staff)
    first = client.get("/staff/queue/?status=submitted")
    assert len(queue_ids(first)) == 25
    assert "of 27 applications" in text(first)
    assert 'rel="prev"' not in text(first)
    next_link = re.search(r'href="(\?status=submitted&amp;cursor=[^"]+)" rel="next"', text(first))
    assert next_link is not None
    second = client.get("/staff/queue/" + html.unescape(next_link.group(1)))
    assert len(queue_ids(second)) == 2
    assert not set(queue_ids(first)) & set(queue_ids(second))
    assert 'rel="next"' not in text(second)
    assert re.search(r'href="\?status=submitted&amp;cursor=[^"]+" rel="prev"', text(second))


def test_queue_reads_are_audited_with_the_ids_shown(
    staff: User, careadvantage: MediMediPlan
) -> None:
    app = submitted(careadvantage)
    logged_in(staff).get("/staff/queue/")
    event = AuditEvent.objects.get(actor=staff, object_type="application_queue")
    assert event.action == "read"
    assert event.detail == {"ids": [app.pk]}


# --- Who may see the staff pages -----------------------------------------------------------


def test_members_get_403_on_staff_pages(careadvantage: MediMediPlan) -> None:
    app = submitted(careadvantage)
    client = logged_in(app.beneficiary.user)
    assert client.get("/staff/queue/").status_code == 403
    assert client.get(f"/staff/applications/{app.pk}/").status_code == 403
    assert client.post(f"/staff/applications/{app.pk}/approve/").status_code == 403
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED


def test_staff_of_another_organization_get_404(careadvantage: MediMediPlan) -> None:
    app = submitted(careadvantage)
    outsider = logged_in(StaffFactory(organization=Organization.objects.get(code="lacare")))
    assert outsider.get(f"/staff/applications/{app.pk}/").status_code == 404
    for action in ("start-review", "approve", "deny", "request-info", "withdraw"):
        assert outsider.post(f"/staff/applications/{app.pk}/{action}/").status_code == 404
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED


def test_staff_do_not_see_drafts(staff: User, careadvantage: MediMediPlan) -> None:
    user = member()
    draft = services.application_create(
        beneficiary=user.beneficiary, actor=user, plan=careadvantage
    )
    assert logged_in(staff).get(f"/staff/applications/{draft.pk}/").status_code == 404


def test_actions_refuse_get(staff: User, careadvantage: MediMediPlan) -> None:
    app = submitted(careadvantage)
    assert logged_in(staff).get(f"/staff/applications/{app.pk}/approve/").status_code == 405


# --- The application page and its actions --------------------------------------------------


def test_application_page_shows_facts_determination_and_history_and_audits_the_read(
    staff: User, careadvantage: MediMediPlan
) -> None:
    rosa = member(first_name="Rosa", last_name="Quintero")
    app = submitted(careadvantage, rosa)
    page = text(logged_in(staff).get(f"/staff/applications/{app.pk}/"))
    assert f"Application {app.pk}: Rosa Quintero" in page
    assert rosa.beneficiary.mbi in page
    assert rosa.beneficiary.cin in page
    assert "San Mateo (06081)" in page
    assert "<caption>Medi-Cal eligibility periods</caption>" in page
    assert "Full scope" in page
    assert "<strong>Eligible</strong>" in page
    assert "08: Full-benefit dual eligible: Medicare and full Medi-Cal" in page
    assert "<td>Draft</td> <td>Submitted</td>" in page
    for button in (
        "Start review",
        "Approve and enroll",
        "Request information",
        "Deny",
        "Mark withdrawn",
    ):
        assert f">{button}</button>" in page
    read = AuditEvent.objects.get(actor=staff, action="read", object_type="application")
    assert read.object_id == str(app.pk)


def test_approve_creates_the_two_enrollments_and_shows_them(
    staff: User, careadvantage: MediMediPlan
) -> None:
    app = submitted(careadvantage)
    client = logged_in(staff)
    client.post(f"/staff/applications/{app.pk}/start-review/")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.IN_REVIEW
    response = client.post(f"/staff/applications/{app.pk}/approve/", follow=True)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED
    medi_medi = Enrollment.objects.get(application=app, kind="medi_medi")
    medi_cal = Enrollment.objects.get(application=app, kind="medi_cal")
    assert medi_medi.medi_medi_plan == careadvantage
    assert medi_cal.aligned_with == medi_medi
    assert medi_medi.start_date == medi_cal.start_date == app.effective_date
    page = text(response)
    assert "Approved. The member is enrolled" in page
    assert "<caption>Enrollments of" in page
    assert "Health Plan of San Mateo" in page
    assert "no action remains" in page


def test_approving_a_decided_application_shows_a_message_and_changes_nothing(
    staff: User, careadvantage: MediMediPlan
) -> None:
    app = submitted(careadvantage)
    services.application_deny(application=app, actor=staff, reasons=["IDENTITY_NOT_VERIFIED"])
    response = logged_in(staff).post(f"/staff/applications/{app.pk}/approve/", follow=True)
    assert response.status_code == 200
    alert = re.search(
        r'<div class="messages messages-error" role="alert">.*?</div>', text(response)
    )
    assert alert and "An application that is denied cannot become approved." in alert.group(0)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DENIED
    assert not Enrollment.objects.exists()


def test_approval_refused_by_the_rules_shows_every_reason(
    staff: User, careadvantage: MediMediPlan
) -> None:
    app = submitted(careadvantage)
    person = app.beneficiary
    person.incarcerated = True
    person.save()
    response = logged_in(staff).post(f"/staff/applications/{app.pk}/approve/", follow=True)
    page = text(response)
    assert "no longer eligible for coverage on the effective date" in page
    assert "People who are incarcerated cannot join a Medicare health plan." in page
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED
    assert not Enrollment.objects.exists()


def test_deny_requires_a_reason(staff: User, careadvantage: MediMediPlan) -> None:
    app = submitted(careadvantage)
    response = logged_in(staff).post(
        f"/staff/applications/{app.pk}/deny/", {"deny-note": "Nothing checked"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain == [(f"/staff/applications/{app.pk}/", 302)]
    page = text(response)
    assert 'href="#id_deny-reasons_0"' in page
    assert "Choose at least one reason." in page
    assert "<legend>Reasons for the denial</legend>" in page
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED
    assert app.denial_reasons == []


def test_deny_for_another_reason_needs_a_note_from_the_service(
    staff: User, careadvantage: MediMediPlan
) -> None:
    app = submitted(careadvantage)
    response = logged_in(staff).post(
        f"/staff/applications/{app.pk}/deny/", {"deny-reasons": ["OTHER"]}, follow=True
    )
    page = text(response)
    assert 'href="#id_deny-note"' in page
    assert "Explain the reason “Another reason” in the note." in page
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED


def test_deny_with_coded_reasons_records_them(staff: User, careadvantage: MediMediPlan) -> None:
    app = submitted(careadvantage)
    response = logged_in(staff).post(
        f"/staff/applications/{app.pk}/deny/",
        {"deny-reasons": ["IDENTITY_NOT_VERIFIED", "OUT_OF_SERVICE_AREA"], "deny-note": "Checked"},
        follow=True,
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DENIED
    assert app.denial_reasons == ["IDENTITY_NOT_VERIFIED", "OUT_OF_SERVICE_AREA"]
    assert "We could not verify your identity." in text(response)


def test_request_info_needs_a_note_and_the_member_sees_it(
    staff: User, careadvantage: MediMediPlan
) -> None:
    app = submitted(careadvantage)
    client = logged_in(staff)
    empty = client.post(
        f"/staff/applications/{app.pk}/request-info/", {"info-note": " "}, follow=True
    )
    assert 'href="#id_info-note"' in text(empty)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED
    client.post(
        f"/staff/applications/{app.pk}/request-info/", {"info-note": "Send proof of address"}
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.INFO_REQUESTED
    member_page = text(logged_in(app.beneficiary.user).get(f"/me/applications/{app.pk}/"))
    assert "Send proof of address" in member_page


def test_staff_mark_an_application_withdrawn(staff: User, careadvantage: MediMediPlan) -> None:
    app = submitted(careadvantage)
    logged_in(staff).post(
        f"/staff/applications/{app.pk}/withdraw/", {"withdraw-note": "Member called"}
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.WITHDRAWN
    assert app.status_changes.last().note == "Member called"


def test_staff_disenroll_from_the_application_page(
    staff: User, careadvantage: MediMediPlan
) -> None:
    app = submitted(careadvantage)
    services.application_approve(application=app, actor=staff)
    medi_medi = Enrollment.objects.get(kind="medi_medi")
    client = logged_in(staff)
    page = text(client.get(f"/staff/applications/{app.pk}/"))
    # The page's form asks for confirmation first; the confirmation posts to the action itself.
    confirm_url = f"/staff/applications/{app.pk}/enrollments/{medi_medi.pk}/disenroll/confirm/"
    assert f'action="{confirm_url}"' in page
    confirm = text(
        client.post(confirm_url, {f"disenroll{medi_medi.pk}-requested_on": "2027-02-10"})
    )
    assert f'action="/staff/applications/{app.pk}/enrollments/{medi_medi.pk}/disenroll/"' in confirm
    assert "February 28, 2027" in confirm
    medi_medi.refresh_from_db()
    assert medi_medi.end_date is None
    response = client.post(
        f"/staff/applications/{app.pk}/enrollments/{medi_medi.pk}/disenroll/",
        {
            f"disenroll{medi_medi.pk}-requested_on": "2027-02-10",
            f"disenroll{medi_medi.pk}-note": "Called",
        },
        follow=True,
    )
    medi_medi.refresh_from_db()
    assert medi_medi.end_date == date(2027, 2, 28)
    assert Enrollment.objects.get(kind="medi_cal").end_date is None
    assert "ends on February 28, 2027" in text(response)


def test_staff_cannot_disenroll_a_medi_cal_enrollment_or_another_organizations(
    staff: User, careadvantage: MediMediPlan
) -> None:
    app = submitted(careadvantage)
    services.application_approve(application=app, actor=staff)
    medi_cal = Enrollment.objects.get(kind="medi_cal")
    medi_medi = Enrollment.objects.get(kind="medi_medi")
    client = logged_in(staff)
    assert (
        client.post(
            f"/staff/applications/{app.pk}/enrollments/{medi_cal.pk}/disenroll/"
        ).status_code
        == 404
    )
    outsider = logged_in(StaffFactory(organization=Organization.objects.get(code="lacare")))
    assert (
        outsider.post(
            f"/staff/applications/{app.pk}/enrollments/{medi_medi.pk}/disenroll/"
        ).status_code
        == 404
    )
    medi_medi.refresh_from_db()
    assert medi_medi.end_date is None


def test_navigation_is_role_aware_and_member_pages_refuse_staff(staff: User) -> None:
    staff_client = logged_in(staff)
    assert staff_client.get("/me/").status_code == 403
    staff_page = text(staff_client.get("/staff/queue/"))
    assert '<a href="/staff/queue/" aria-current="page">Work queue</a>' in staff_page
    assert "My Medi-Medi" not in staff_page
    member_page = text(logged_in(member()).get("/me/"))
    assert '<a href="/me/" aria-current="page">My Medi-Medi</a>' in member_page
    assert "Work queue" not in member_page
    anonymous = text(Client().get("/eligibility/"))
    assert 'href="/accounts/signup/"' in anonymous
