"""Staff search and lists that stay fast at the state's size (issue 12): the search names, the
county kept on applications, keyset pages with "Next" / "Previous" and a capped count, and the
admin's lists (a fixed few queries, exact MBI/CIN and name searches, no date hierarchy)."""

import html
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from eligibility.models import Beneficiary, County, EligibilityDetermination, MediMediPlan
from eligibility.rules.names import name_key
from enrollment import keyset, selectors
from enrollment.models import Application, ApplicationStatus, Enrollment, ReviewItem
from notices.models import Notice
from tests.auth_helpers import login_verified
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 1, 5, 9, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture
def careadvantage() -> MediMediPlan:
    return MediMediPlan.objects.get(name="CareAdvantage")


@pytest.fixture
def staff() -> User:
    return StaffFactory()  # of the organization running CareAdvantage (hpsm)


def applied(
    plan: MediMediPlan, *, minutes: int = 0, person: Beneficiary | None = None, **fields: Any
) -> Application:
    """A submitted application (read-only tests: made directly, not through the services)."""
    return Application.objects.create(
        beneficiary=person or BeneficiaryFactory(),
        plan=plan,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=START + timedelta(minutes=minutes),
        **fields,
    )


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def queue_ids(response: Any) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/staff/applications/(\d+)/"', text(response))]


def link(response: Any, rel: str) -> str | None:
    found = re.search(rf'href="(\?[^"]*)" rel="{rel}"', text(response))
    return "/staff/queue/" + html.unescape(found.group(1)) if found else None


# ---------------------------------------------------------------------------------------------
# Search names


def test_a_names_search_key_ignores_case_accents_and_punctuation() -> None:
    assert name_key("  GARCÍA ") == "garcia"
    assert name_key("O'Brien") == "obrien"
    assert name_key("Nguyễn  Văn") == "nguyen van"
    assert name_key("Müller-Straße") == "muller-strasse"
    assert name_key("") == ""


def test_saving_a_person_keeps_their_search_names() -> None:
    person: Any = BeneficiaryFactory(first_name="José", last_name="García")
    assert (person.search_first_name, person.search_last_name) == ("jose", "garcia")
    person.last_name = "Peña"
    person.save(update_fields=["last_name"])
    person.refresh_from_db()
    assert person.search_last_name == "pena"


@pytest.mark.parametrize("typed", ["garcia", "GARCIA", "García", "garcía", " Garcia "])
def test_the_queue_finds_a_name_whatever_its_case_and_accents(
    staff: User, careadvantage: MediMediPlan, typed: str
) -> None:
    mine = applied(careadvantage, person=BeneficiaryFactory(last_name="García"))
    applied(careadvantage, person=BeneficiaryFactory(last_name="Garcian"))
    page = selectors.application_queue_page(actor=staff, search=typed)
    assert [a.pk for a in page.object_list] == [mine.pk]


def test_a_last_name_search_follows_a_change_of_name(
    staff: User, careadvantage: MediMediPlan
) -> None:
    mine = applied(careadvantage, person=BeneficiaryFactory(last_name="Smith"))
    assert mine.search_last_name == "smith"  # the application keeps the person's key
    person = mine.beneficiary
    person.last_name = "Okafor-Núñez"
    person.save()

    def found(search: str) -> list[int]:
        return [
            a.pk for a in selectors.application_queue_page(actor=staff, search=search).object_list
        ]

    assert found("okafor-nunez") == [mine.pk]
    assert found("Smith") == []


def test_an_eligibility_file_renaming_a_person_moves_their_applications_name_key(
    tmp_path: Any, careadvantage: MediMediPlan, staff: User
) -> None:
    from tests.interchange.test_import_csv import person, run, write

    run(write(tmp_path / "jan.csv", [person(1, last_name="Lee")]))
    application = applied(careadvantage, person=Beneficiary.objects.get(cin="91000001A"))
    run(write(tmp_path / "feb.csv", [person(1, file_month="2027-02", last_name="Park")]))

    application.refresh_from_db()
    assert application.search_last_name == "park"
    page = selectors.application_queue_page(actor=staff, search="PARK")
    assert [a.pk for a in page.object_list] == [application.pk]
    assert not selectors.application_queue_page(actor=staff, search="lee").object_list


def test_first_and_last_name_and_date_of_birth_narrow_the_search(
    staff: User, careadvantage: MediMediPlan
) -> None:
    jose = BeneficiaryFactory(first_name="José", last_name="de la Cruz")
    maria = BeneficiaryFactory(first_name="Maria", last_name="de la Cruz")
    older = BeneficiaryFactory(first_name="José", last_name="Cruz", date_of_birth=START.date())
    ids = {p.pk: applied(careadvantage, person=p).pk for p in (jose, maria, older)}

    def found(**filters: Any) -> set[int]:
        page = selectors.application_queue_page(actor=staff, **filters)
        return {a.pk for a in page.object_list}

    assert found(search="jose de la cruz") == {ids[jose.pk], ids[older.pk]}
    assert found(search="DE LA CRUZ") == {ids[jose.pk], ids[maria.pk]}
    assert found(search="jose cruz", date_of_birth=START.date()) == {ids[older.pk]}


def test_the_queue_page_search_is_accent_insensitive(
    staff: User, careadvantage: MediMediPlan
) -> None:
    mine = applied(careadvantage, person=BeneficiaryFactory(first_name="Zoë", last_name="Nguyễn"))
    client = login_verified(Client(), staff)
    assert queue_ids(client.get("/staff/queue/", {"q": "zoe nguyen"})) == [mine.pk]


# ---------------------------------------------------------------------------------------------
# The county on applications


def test_an_application_keeps_its_persons_county_and_follows_a_move(
    staff: User, careadvantage: MediMediPlan
) -> None:
    application = applied(careadvantage)
    san_mateo = County.objects.get(name="San Mateo")
    alameda = County.objects.get(name="Alameda")
    assert application.county_id == san_mateo.pk
    person = application.beneficiary
    person.county = alameda
    person.save()
    application.refresh_from_db()
    assert application.county_id == alameda.pk
    by_name = selectors.application_queue_page(actor=staff, county="alameda")
    by_fips = selectors.application_queue_page(actor=staff, county="06001")
    assert [a.pk for a in by_name.object_list] == [application.pk]
    assert [a.pk for a in by_fips.object_list] == [application.pk]
    assert not selectors.application_queue_page(actor=staff, county="06081").object_list
    assert not selectors.application_queue_page(actor=staff, county="Atlantis").object_list


# ---------------------------------------------------------------------------------------------
# Keyset pages


def test_next_and_previous_stay_stable_while_applications_arrive(
    staff: User, careadvantage: MediMediPlan
) -> None:
    made = [applied(careadvantage, minutes=n) for n in range(30)]
    newest_first = [a.pk for a in reversed(made)]
    first = selectors.application_queue_page(actor=staff)
    assert [a.pk for a in first.object_list] == newest_first[:25]
    assert first.previous_cursor is None and first.next_cursor is not None
    # New submissions arrive (newer than everything shown) while the reader is on page one.
    arrived = [applied(careadvantage, minutes=100 + n) for n in range(3)]
    second = selectors.application_queue_page(actor=staff, cursor=first.next_cursor)
    assert [a.pk for a in second.object_list] == newest_first[25:]
    assert second.next_cursor is None
    back = selectors.application_queue_page(actor=staff, cursor=second.previous_cursor)
    assert [a.pk for a in back.object_list] == newest_first[:25]
    # The arrivals are before page one now: its "previous" leads to them.
    assert back.previous_cursor is not None
    newer = selectors.application_queue_page(actor=staff, cursor=back.previous_cursor)
    assert [a.pk for a in newer.object_list] == [a.pk for a in reversed(arrived)]
    assert newer.previous_cursor is None


def test_ties_on_the_submission_time_are_ordered_by_id(
    staff: User, careadvantage: MediMediPlan
) -> None:
    same = [applied(careadvantage) for _ in range(7)]
    seen: list[int] = []
    cursor = None
    while True:
        page = selectors.application_queue_page(actor=staff, cursor=cursor, page_size=3)
        seen += [a.pk for a in page.object_list]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == sorted((a.pk for a in same), reverse=True)


def test_admins_page_through_drafts_first_then_submissions(careadvantage: MediMediPlan) -> None:
    submitted = [applied(careadvantage, minutes=n) for n in range(3)]
    drafts = [
        Application.objects.create(beneficiary=BeneficiaryFactory(), plan=careadvantage)
        for _ in range(3)
    ]
    actor = AdminFactory()
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        page = selectors.application_queue_page(actor=actor, cursor=cursor, page_size=2)
        seen += [a.pk for a in page.object_list]
        cursor = page.next_cursor
        if cursor is None:
            break
    expected = [d.pk for d in reversed(drafts)] + [a.pk for a in reversed(submitted)]
    assert seen == expected
    # And back again from the last page.
    back = [a.pk for a in page.object_list]
    cursor = page.previous_cursor
    while cursor is not None:
        page = selectors.application_queue_page(actor=actor, cursor=cursor, page_size=2)
        back = [a.pk for a in page.object_list] + back
        cursor = page.previous_cursor
    assert back == expected


def test_the_count_stops_at_the_cap(
    staff: User, careadvantage: MediMediPlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keyset, "COUNT_CAP", 5)
    for n in range(7):
        applied(careadvantage, minutes=n)
    page = selectors.application_queue_page(actor=staff)
    assert (page.count, page.count_capped) == (5, True)
    exact = selectors.application_queue_page(actor=staff, status=ApplicationStatus.APPROVED)
    assert (exact.count, exact.count_capped) == (0, False)
    body = text(login_verified(Client(), staff).get("/staff/queue/"))
    assert "Showing 7 of more than 5 applications." in body


def test_the_queue_page_links_next_and_previous_with_the_filters(
    staff: User, careadvantage: MediMediPlan
) -> None:
    made = [applied(careadvantage, minutes=n) for n in range(27)]
    client = login_verified(Client(), staff)
    first = client.get("/staff/queue/", {"status": "submitted"})
    assert "of 27 applications" in text(first)
    assert link(first, "prev") is None
    next_url = link(first, "next")
    assert next_url is not None and "status=submitted" in next_url
    second = client.get(next_url)
    assert queue_ids(second) == [made[1].pk, made[0].pk]
    assert link(second, "next") is None
    previous_url = link(second, "prev")
    assert previous_url is not None
    assert queue_ids(client.get(previous_url)) == queue_ids(first)
    # The pager is a labelled navigation of plain links (reachable with Tab, no script).
    assert '<nav aria-label="Pages of the work queue"' in text(first)
    assert "Page 1 of" not in text(first)


def test_a_broken_cursor_shows_the_first_page_with_a_message(
    staff: User, careadvantage: MediMediPlan
) -> None:
    mine = applied(careadvantage)
    response = login_verified(Client(), staff).get("/staff/queue/", {"cursor": "garbage"})
    assert response.status_code == 200
    assert queue_ids(response) == [mine.pk]
    assert "This cursor is not valid" in text(response)


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "eyJrIjpbMV0sImIiOmZhbHNlfQ", "eyJrIjpbbnVsbCwiMSJdLCJiIjpmYWxzZX0", "x" * 600],
)
def test_a_forged_cursor_is_refused(staff: User, cursor: str) -> None:
    with pytest.raises(keyset.InvalidCursor):
        selectors.application_queue_page(actor=staff, cursor=cursor[:512])


def test_a_cursor_shows_nothing_the_reader_may_not_see(careadvantage: MediMediPlan) -> None:
    other_plan = MediMediPlan.objects.exclude(organization=careadvantage.organization).first()
    assert other_plan is not None
    theirs = applied(other_plan, minutes=5)
    mine = applied(careadvantage, minutes=1)
    page = selectors.application_queue_page(actor=AdminFactory(), page_size=1)
    assert [a.pk for a in page.object_list] == [theirs.pk]
    # The admin's cursor, used by staff of the other organization: still only their own rows.
    staff_page = selectors.application_queue_page(actor=StaffFactory(), cursor=page.next_cursor)
    assert [a.pk for a in staff_page.object_list] == [mine.pk]


# ---------------------------------------------------------------------------------------------
# The admin


BIG_LISTS = [
    Beneficiary,
    Application,
    Enrollment,
    EligibilityDetermination,
    ReviewItem,
    Notice,
    AuditEvent,
]


@pytest.fixture
def admin_client_() -> Client:
    return login_verified(Client(), AdminFactory())


@pytest.fixture
def some_rows(careadvantage: MediMediPlan) -> list[Application]:
    rows = [applied(careadvantage, minutes=n) for n in range(12)]
    for application in rows[:6]:
        Enrollment.objects.create(
            beneficiary=application.beneficiary,
            kind="medi_medi",
            medi_medi_plan=careadvantage,
            start_date=START.date(),
            application=application,
        )
    return rows


@pytest.mark.parametrize("model", BIG_LISTS, ids=lambda m: m._meta.model_name)
def test_every_big_admin_list_is_a_fixed_few_queries(
    admin_client_: Client,
    some_rows: list[Application],
    model: type,
    django_assert_max_num_queries: Any,
) -> None:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    admin_client_.get("/admin/")  # the session's clock starts (a write), as on any first page
    with django_assert_max_num_queries(10):
        response = admin_client_.get(url)
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.model_admin.show_full_result_count is False
    assert changelist.date_hierarchy is None or model is AuditEvent
    with django_assert_max_num_queries(10):
        assert admin_client_.get(url, {"q": "Garcia"}).status_code == 200


@pytest.mark.parametrize(
    "typed", ["mbi_lower_dashes", "cin", "name_accented", "first_and_last", "id"]
)
def test_admin_searches_people_exactly_by_mbi_cin_name_or_id(
    admin_client_: Client, careadvantage: MediMediPlan, typed: str
) -> None:
    person = BeneficiaryFactory(first_name="Inés", last_name="Peña")
    BeneficiaryFactory(first_name="Ines", last_name="Penalosa")
    application = applied(careadvantage, person=person)
    mbi = person.mbi.lower()
    term = {
        "mbi_lower_dashes": f"{mbi[:4]}-{mbi[4:7]}-{mbi[7:]}",
        "cin": person.cin.lower(),
        "name_accented": "PENA",
        "first_and_last": "ines peña",
        "id": str(person.pk),
    }[typed]
    people = admin_client_.get(reverse("admin:eligibility_beneficiary_changelist"), {"q": term})
    assert [row.pk for row in people.context["cl"].result_list] == [person.pk]
    if typed != "id":
        applications = admin_client_.get(
            reverse("admin:enrollment_application_changelist"), {"q": term}
        )
        assert [row.pk for row in applications.context["cl"].result_list] == [application.pk]


def test_admin_notice_search_is_exact(admin_client_: Client) -> None:
    url = reverse("admin:notices_notice_changelist")
    assert admin_client_.get(url, {"q": "enrollment-confirmed"}).status_code == 200
    response = admin_client_.get(url, {"q": "99999999999999999999999"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_the_big_admin_lists_are_registered_with_autocomplete_for_people() -> None:
    beneficiary_admin = admin.site._registry[Beneficiary]
    assert "user" in beneficiary_admin.autocomplete_fields
    assert not beneficiary_admin.raw_id_fields


# ---------------------------------------------------------------------------------------------
# The state's file keeps the search names and the applications' county too


def test_the_eligibility_file_writes_search_names_and_moves_applications_county(
    tmp_path: Any, careadvantage: MediMediPlan, staff: User
) -> None:
    from tests.interchange.test_import_csv import person, run, write

    run(write(tmp_path / "jan.csv", [person(1, first_name="JOSÉ", last_name="GARCÍA-PEÑA")]))
    found = Beneficiary.objects.get(cin="91000001A")
    assert (found.search_first_name, found.search_last_name) == ("jose", "garcia-pena")
    application = applied(careadvantage, person=found)
    assert application.county == County.objects.get(fips="06059")

    moved = person(1, file_month="2027-03", county_fips="06037", medi_cal_plan_code="MC-LACARE")
    run(write(tmp_path / "mar.csv", [{**moved, "first_name": "José", "last_name": "García-Peña"}]))

    application.refresh_from_db()
    assert application.county == County.objects.get(fips="06037")
    page = selectors.application_queue_page(actor=staff, county="06037", search="garcia-pena")
    assert [a.pk for a in page.object_list] == [application.pk]


def test_an_admin_page_past_the_first_shows_its_rows_newest_first(
    admin_client_: Client, django_assert_max_num_queries: Any
) -> None:
    people = [BeneficiaryFactory(medi_cal=False) for _ in range(55)]
    url = reverse("admin:eligibility_beneficiary_changelist")
    admin_client_.get("/admin/")
    with django_assert_max_num_queries(10):
        second = admin_client_.get(url, {"p": "2"})
    newest_first = sorted((p.pk for p in people), reverse=True)
    assert [row.pk for row in second.context["cl"].result_list] == newest_first[50:]
    first = admin_client_.get(url)
    assert [row.pk for row in first.context["cl"].result_list] == newest_first[:50]
