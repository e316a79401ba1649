"""Every admin page that shows member data writes an audit read; admin edits write an update."""

from datetime import date

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, User
from eligibility.models import Beneficiary, EligibilityDetermination
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db


def _reads(actor: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=actor, action="read").order_by("pk"))


def test_opening_a_beneficiary_in_the_admin_writes_a_read(
    admin_client_: Client, admin_user: User
) -> None:
    person = BeneficiaryFactory()

    response = admin_client_.get(reverse("admin:eligibility_beneficiary_change", args=[person.pk]))

    assert response.status_code == 200
    [read] = _reads(admin_user)
    assert (read.object_type, read.object_id) == ("beneficiary", str(person.pk))
    assert read.detail == {"via": "admin", "view": "change", "beneficiary": person.pk}


def test_opening_a_beneficiarys_history_writes_a_read(
    admin_client_: Client, admin_user: User
) -> None:
    person = BeneficiaryFactory()

    response = admin_client_.get(reverse("admin:eligibility_beneficiary_history", args=[person.pk]))

    assert response.status_code == 200
    [read] = _reads(admin_user)
    assert (read.object_type, read.object_id, read.detail["view"]) == (
        "beneficiary",
        str(person.pk),
        "history",
    )


def test_opening_a_past_version_of_a_beneficiary_writes_a_read(
    admin_client_: Client, admin_user: User
) -> None:
    person = BeneficiaryFactory()
    version = person.history.get()

    response = admin_client_.get(
        reverse(
            "admin:eligibility_beneficiary_simple_history",
            args=[person.pk, version.history_id],
        )
    )

    assert response.status_code == 200
    [read] = _reads(admin_user)
    assert (read.object_type, read.object_id) == ("beneficiary", str(person.pk))
    assert read.detail["beneficiary"] == person.pk
    assert read.detail["version"] == str(version.history_id)


def test_the_beneficiary_list_writes_one_read_with_the_ids_shown(
    admin_client_: Client, admin_user: User
) -> None:
    people = [BeneficiaryFactory(), BeneficiaryFactory()]

    response = admin_client_.get(reverse("admin:eligibility_beneficiary_changelist"))

    assert response.status_code == 200
    [read] = _reads(admin_user)
    ids = sorted(p.pk for p in people)
    assert (read.object_type, read.object_id) == ("beneficiary_list", "list")
    assert sorted(read.detail["ids"]) == ids
    assert read.detail["beneficiaries"] == ids


def test_a_missing_beneficiary_writes_no_read(admin_client_: Client, admin_user: User) -> None:
    admin_client_.get(reverse("admin:eligibility_beneficiary_change", args=[999999]))

    assert _reads(admin_user) == []


def test_opening_a_determination_writes_a_read_naming_the_member(
    admin_client_: Client, admin_user: User
) -> None:
    person = BeneficiaryFactory()
    determination = EligibilityDetermination.objects.create(
        beneficiary=person,
        county=person.county,
        as_of=date(2026, 6, 1),
        facts={},
        eligible=True,
        dual_status_code="02",
        dual_status_category="full",
        policy_version="test",
    )

    admin_client_.get(
        reverse("admin:eligibility_eligibilitydetermination_change", args=[determination.pk])
    )
    admin_client_.get(reverse("admin:eligibility_eligibilitydetermination_changelist"))

    change, changelist = _reads(admin_user)
    assert (change.object_type, change.object_id) == ("determination", str(determination.pk))
    assert change.detail["beneficiary"] == person.pk
    assert changelist.object_type == "determination_list"
    assert changelist.detail["beneficiaries"] == [person.pk]


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:enrollment_application_changelist",
        "admin:enrollment_enrollment_changelist",
        "admin:notices_notice_changelist",
    ],
)
def test_member_data_lists_write_a_read(
    admin_client_: Client, admin_user: User, url_name: str
) -> None:
    assert admin_client_.get(reverse(url_name)).status_code == 200

    [read] = _reads(admin_user)
    assert read.object_type.endswith("_list")
    assert read.detail["ids"] == []


def test_reference_data_pages_write_no_read(admin_client_: Client, admin_user: User) -> None:
    admin_client_.get(reverse("admin:eligibility_county_changelist"))
    admin_client_.get(reverse("admin:eligibility_medimediplan_changelist"))

    assert _reads(admin_user) == []


def test_editing_a_beneficiary_in_the_admin_writes_an_update(
    admin_client_: Client, admin_user: User
) -> None:
    person = BeneficiaryFactory()
    url = reverse("admin:eligibility_beneficiary_change", args=[person.pk])
    data = _page_form_data(admin_client_.get(url))
    data["city"] = "Redwood City"

    response = admin_client_.post(url, data)

    assert response.status_code == 302
    assert Beneficiary.objects.get(pk=person.pk).city == "Redwood City"
    update = AuditEvent.objects.get(actor=admin_user, action="update")
    assert (update.object_type, update.object_id) == ("beneficiary", str(person.pk))
    assert update.detail == {"via": "admin", "fields": ["city"], "beneficiary": person.pk}


def _page_form_data(response: HttpResponse) -> dict[str, object]:
    """What the change page's form and inlines would send back unchanged."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict[str, object] = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = (
                value.isoformat() if hasattr(value, "isoformat") else value
            )
    return data
