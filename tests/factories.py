"""factory_boy factories: synthetic people only, never real PHI."""

from datetime import date
from typing import Any

import factory

from accounts.models import Role, User
from eligibility.models import (
    Beneficiary,
    County,
    MediCalEligibility,
    Organization,
    StaffMembership,
)

MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"


def make_mbi(n: int) -> str:
    """A valid, synthetic MBI that is different for every ``n``."""
    letters = [MBI_LETTERS[(n // 20**i) % 20] for i in range(5)]
    digits = f"{n % 10**6:06d}"
    return (
        f"{1 + n % 9}{letters[0]}{letters[1]}{digits[0]}{letters[2]}{letters[3]}{digits[1]}"
        f"{letters[4]}{letters[0]}{digits[2]}{digits[3]}"
    )


def make_cin(n: int) -> str:
    return f"{90000000 + n:08d}{'ABCDEFGHJKLMNPRSTVWXYZ'[n % 22]}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    role = Role.MEMBER
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class StaffFactory(UserFactory):
    """Plan enrollment staff of Health Plan of San Mateo, or of ``organization=``."""

    role = Role.STAFF

    @factory.post_generation
    def organization(self: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            StaffMembership.objects.create(
                user=self, organization=extracted or Organization.objects.get(code="hpsm")
            )


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    """A full-benefit dual in San Mateo, with Medicare A and B since 2020 and full Medi-Cal."""

    class Meta:
        model = Beneficiary
        skip_postgeneration_save = True

    first_name = factory.Sequence(lambda n: f"Ana{n}")
    last_name = factory.Sequence(lambda n: f"Testperson{n}")
    date_of_birth = date(1950, 5, 17)
    mbi = factory.Sequence(make_mbi)
    cin = factory.Sequence(make_cin)
    address_line1 = factory.Sequence(lambda n: f"{n} Test Street")
    city = "San Mateo"
    zip_code = "94401"
    county = factory.LazyFunction(lambda: County.objects.get(name="San Mateo"))
    email = factory.LazyAttribute(lambda b: f"{b.first_name.lower()}@example.test")
    medicare_part_a_start = date(2020, 1, 1)
    medicare_part_b_start = date(2020, 1, 1)

    @factory.post_generation
    def medi_cal(self: Beneficiary, create: bool, extracted: Any, **kwargs: Any) -> None:
        """``medi_cal=False`` gives no Medi-Cal; a dict overrides the default full-scope period."""
        if not create or extracted is False:
            return
        fields = {"start_date": date(2020, 1, 1), "scope": "full", "aid_code": "10"}
        if isinstance(extracted, dict):
            fields.update(extracted)
        MediCalEligibility.objects.create(beneficiary=self, **fields)
