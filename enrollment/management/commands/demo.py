"""``manage.py demo``: reference data, demo accounts, ~200 synthetic beneficiaries, applications.

Idempotent: accounts are created once; the synthetic people and their applications only when
none exist yet. Everyone here is invented; no real PHI.
"""

import logging
import random
from datetime import date
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Role, User
from accounts.otp import second_factor_required, totp_device_ensure
from eligibility.models import (
    Beneficiary,
    County,
    MediCalEligibility,
    MediMediPlan,
    Organization,
    StaffMembership,
)
from eligibility.selectors import beneficiary_offer, california_today
from enrollment import services
from enrollment.models import (
    Application,
    ApplicationStatus,
    DenialReason,
    Enrollment,
    EnrollmentKind,
)

DEMO_PASSWORD = "medimedi-demo"
DEMO_PEOPLE = 200
# The state each demo member's account shows, in order (member1, member2, ...).
MEMBER_STATES = ["approved", "info_requested", "denied", "none", "none"]
# How many unlinked synthetic people to print for trying sign-up and linking.
TO_LINK = 3
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"
FIRST_NAMES = [
    "Maria", "Jose", "Linh", "Grace", "Armen", "Fatima", "Wei", "Soo-jin", "Dmitri", "Rosa",
    "James", "Mai", "Carlos", "Ana", "Samuel", "Nadia", "Tuan", "Lucia", "Hovhannes", "Sofia",
]  # fmt: skip
LAST_NAMES = [
    "Garcia", "Nguyen", "Hernandez", "Kim", "Petrosyan", "Rahimi", "Chen", "Lopez", "Ivanova",
    "Martinez", "Johnson", "Tran", "Reyes", "Santos", "Vang", "Sok", "Flores", "Park", "Ali",
]  # fmt: skip
# County names and their weight in the synthetic population.
COUNTY_WEIGHTS = {
    "Los Angeles": 40, "San Diego": 18, "Orange": 14, "Riverside": 12, "San Bernardino": 12,
    "Santa Clara": 10, "San Mateo": 8, "Fresno": 8, "Kings": 3, "Madera": 3, "Sacramento": 8,
    "Tulare": 4, "Amador": 2, "Stanislaus": 4, "Alameda": 10, "San Francisco": 6,
}  # fmt: skip
# (profile, weight): full duals mostly, and every way of not qualifying.
PROFILES = [
    ("fbde", 40), ("qmb_plus", 20), ("slmb_plus", 8), ("qmb_only", 8), ("slmb_only", 4),
    ("qi", 3), ("restricted", 5), ("soc_unmet", 4), ("soc_met", 3), ("no_part_b", 3),
    ("medicare_only", 2),
]  # fmt: skip
LANGUAGES = ["en"] * 12 + ["es"] * 6 + ["zh-Hant", "vi", "ko", "hy", "ru", "tl", "fa"]
FORMATS = ["standard"] * 16 + ["large_print", "large_print", "braille", "audio"]


def synthetic_mbi(n: int) -> str:
    letters = [MBI_LETTERS[(n * 7 + i * 3) % 20] for i in range(5)]
    digits = f"{(n * 7919) % 10**6:06d}"
    return (
        f"{1 + n % 9}{letters[0]}{letters[1]}{digits[0]}{letters[2]}{letters[3]}{digits[1]}"
        f"{letters[4]}{MBI_LETTERS[n % 20]}{digits[2]}{digits[3]}"
    )


class Command(BaseCommand):
    help = "Load reference data, demo accounts, synthetic beneficiaries and applications; print logins."

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo sends dozens of letters; their one-line log entries would bury the logins.
        for name in ("notices", "celery"):
            logging.getLogger(name).setLevel(logging.WARNING)
        call_command("load_reference_data", verbosity=0)
        with transaction.atomic():
            logins = self._accounts()
        if not Beneficiary.objects.filter(mbi=synthetic_mbi(0)).exists():
            with transaction.atomic():
                people = self._beneficiaries()
                members = self._members(people)
                counts = self._applications(people)
            self.stdout.write(
                f"Created {len(people)} synthetic beneficiaries and applications: "
                + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
            )
        else:
            members = list(
                User.objects.filter(role=Role.MEMBER, username__startswith="member")
                .order_by("username")
                .values_list("username", flat=True)
            )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        self.stdout.write(
            "Staff and admins also give the 6-digit code of an authenticator app: add the"
            " otpauth:// link printed under each login to the app (docs/security-signin.md)."
        )
        for username, description in logins:
            self.stdout.write(f"  {username:<24} {description}")
            user = User.objects.get(username=username)
            if second_factor_required(user):
                self.stdout.write(f"  {'':<24} {totp_device_ensure(user).config_url}")
        for username in members:
            self._member_print(username)
        self._to_link_print()
        self.stdout.write("Portal: http://127.0.0.1:8000/   Admin: /admin/   API docs: /api/docs/")

    def _member_print(self, username: str) -> None:
        """One member login: the state it shows and the synthetic person it is linked to."""
        person = Beneficiary.objects.select_related("county").get(user__username=username)
        self.stdout.write(f"  {username:<24} member: {self._member_state(person)}")
        self.stdout.write(
            f"  {'':<24} linked to {person.first_name} {person.last_name}, {person.county.name},"
            f" MBI {person.mbi}, born {person.date_of_birth.isoformat()}"
        )

    def _member_state(self, person: Beneficiary) -> str:
        enrolled = (
            Enrollment.objects.filter(
                beneficiary=person, kind=EnrollmentKind.MEDI_MEDI, cancelled=False
            )
            .select_related("medi_medi_plan")
            .first()
        )
        if enrolled is not None and enrolled.medi_medi_plan is not None:
            return f"enrolled in {enrolled.medi_medi_plan.name}, with letters and an ID card"
        latest = Application.objects.filter(beneficiary=person).order_by("-pk").first()
        if latest is not None:
            return {
                ApplicationStatus.INFO_REQUESTED: "an application waiting for information",
                ApplicationStatus.DENIED: "an application that was denied, with the letter",
            }.get(ApplicationStatus(latest.status), f"an application, {latest.status}")
        offer = beneficiary_offer(person, as_of=california_today())
        if not offer.plans:
            return f"no Medi-Medi Plan serves {person.county.name} yet: sees why and what is next"
        if not offer.decision.eligible:
            return "not eligible: sees every reason why"
        return "no application yet: can apply"

    def _to_link_print(self) -> None:
        """Synthetic people nobody has linked, for trying sign-up and linking a record."""
        free = (
            Beneficiary.objects.filter(user__isnull=True, applications__isnull=True)
            .select_related("county")
            .order_by("pk")
        )
        people = [p for p in free[:60] if self._eligible(p)][:TO_LINK]
        if not people:
            return
        self.stdout.write(
            "Sign up with any email address, then link one of these synthetic people"
            " (MBI, date of birth, last name):"
        )
        for person in people:
            self.stdout.write(
                f"  MBI {person.mbi}   born {person.date_of_birth.isoformat()}"
                f"   {person.last_name:<12} {person.county.name}"
            )

    def _user(self, username: str, **fields: Any) -> User:
        user, created = User.objects.get_or_create(username=username, defaults=fields)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user

    def _accounts(self) -> list[tuple[str, str]]:
        logins = []
        self._user(
            "admin",
            role=Role.ADMIN,
            is_staff=True,
            is_superuser=True,
            email="admin@medimedi.example",
        )
        logins.append(("admin", "administrator (Django admin at /admin/)"))
        for org in Organization.objects.order_by("code"):
            username = f"staff-{org.code}"
            staff = self._user(username, role=Role.STAFF, email=f"{username}@medimedi.example")
            StaffMembership.objects.get_or_create(user=staff, defaults={"organization": org})
            logins.append((username, f"enrollment staff, {org.name}"))
        return logins

    def _beneficiaries(self) -> list[Beneficiary]:
        rng = random.Random(2026)  # noqa: S311 - synthetic data, not security
        counties = {c.name: c for c in County.objects.filter(name__in=COUNTY_WEIGHTS)}
        names = list(COUNTY_WEIGHTS)
        weights = [COUNTY_WEIGHTS[n] for n in names]
        profiles = [p for p, _ in PROFILES]
        profile_weights = [w for _, w in PROFILES]
        people = []
        for n in range(DEMO_PEOPLE):
            county = counties[rng.choices(names, weights)[0]]
            profile = rng.choices(profiles, profile_weights)[0]
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            medicare_start = date(rng.randint(2008, 2025), rng.randint(1, 12), 1)
            person = Beneficiary.objects.create(
                first_name=first,
                last_name=last,
                date_of_birth=date(rng.randint(1935, 1962), rng.randint(1, 12), rng.randint(1, 28)),
                mbi=synthetic_mbi(n),
                cin=f"{91000000 + n:08d}{'ABCDEFGHJKLMNPRSTVWXYZ'[n % 22]}",
                address_line1=f"{rng.randint(10, 9999)} {rng.choice(['Oak', 'Main', 'Mission', 'Palm', 'Vine'])} St",
                city=county.name if county.name not in ("San Bernardino",) else "Ontario",
                zip_code=f"9{rng.randint(1000, 6199):04d}",
                county=county,
                email=f"{first.lower().replace('-', '')}.{last.lower()}.{n}@example.test",
                phone=f"555-01{n % 100:02d}",
                preferred_language=rng.choice(LANGUAGES),
                preferred_format=rng.choice(FORMATS),
                medicare_part_a_start=medicare_start,
                medicare_part_b_start=None if profile == "no_part_b" else medicare_start,
            )
            self._medi_cal(person, profile, rng)
            people.append(person)
        return people

    def _medi_cal(self, person: Beneficiary, profile: str, rng: random.Random) -> None:
        start = date(rng.randint(2015, 2025), rng.randint(1, 12), 1)
        shapes: dict[str, dict[str, str]] = {
            "fbde": {"scope": "full", "aid_code": "10"},
            "qmb_plus": {"scope": "full", "aid_code": "10", "msp": "QMB"},
            "slmb_plus": {"scope": "full", "aid_code": "20", "msp": "SLMB"},
            "qmb_only": {"scope": "", "aid_code": "80", "msp": "QMB"},
            "slmb_only": {"scope": "", "aid_code": "8Y", "msp": "SLMB"},
            "qi": {"scope": "", "aid_code": "8U", "msp": "QI"},
            "restricted": {"scope": "restricted", "aid_code": "C1"},
            "soc_unmet": {"scope": "full", "aid_code": "14", "share_of_cost": "unmet"},
            "soc_met": {"scope": "full", "aid_code": "14", "share_of_cost": "met"},
            "no_part_b": {"scope": "full", "aid_code": "10"},
        }
        if profile in shapes:
            MediCalEligibility.objects.create(
                beneficiary=person, start_date=start, **shapes[profile]
            )

    def _members(self, people: list[Beneficiary]) -> list[str]:
        """Five member logins, linked to synthetic people in five counties."""
        usernames: list[str] = []
        chosen: set[int] = set()
        # Each member shows the portal in another state (MEMBER_STATES); Alameda has no
        # Medi-Medi Plan yet: that member sees why they cannot apply and when plans start.
        for county_name, must_be_eligible in (
            ("San Mateo", True),
            ("Los Angeles", True),
            ("Fresno", True),
            ("Orange", True),
            ("Alameda", False),
        ):
            person = next(
                (
                    p
                    for p in people
                    if p.county.name == county_name
                    and p.pk not in chosen
                    and (not must_be_eligible or self._eligible(p))
                ),
                None,
            )
            if person is None:
                continue
            chosen.add(person.pk)
            username = f"member{len(usernames) + 1}@medimedi.example"
            user = self._user(username, role=Role.MEMBER, email=username)
            person.user = user
            person.save(update_fields=["user", "updated_at"])
            usernames.append(username)
            self._member_state_make(person, MEMBER_STATES[len(usernames) - 1])
        return usernames

    def _member_state_make(self, person: Beneficiary, target: str) -> None:
        """Give a demo member a real state: enrolled, waiting for information, denied, or none."""
        if target == "none":
            return
        result = beneficiary_offer(person, as_of=california_today())
        if not result.plans or not result.decision.eligible:
            return
        offered = result.plans[0]
        staff = User.objects.filter(
            role=Role.STAFF, staff_membership__organization__name=offered.organization
        ).first()
        application = services.application_create(
            beneficiary=person, actor=None, plan=MediMediPlan.objects.get(pk=offered.id)
        )
        self._advance(application, target, staff)

    def _eligible(self, person: Beneficiary) -> bool:
        today = california_today()
        result = beneficiary_offer(person, as_of=today)
        return result.decision.eligible and bool(result.plans)

    def _applications(self, people: list[Beneficiary]) -> dict[str, int]:
        """Applications in every status for people who can apply (members keep a clean slate)."""
        today = california_today()
        rng = random.Random(834)  # noqa: S311 - synthetic data
        plan = [
            "submitted",
            "submitted",
            "in_review",
            "info_requested",
            "approved",
            "approved",
            "denied",
            "withdrawn",
            "draft",
        ]
        counts: dict[str, int] = {}
        candidates = [p for p in people if p.user_id is None][:120]
        for index, person in enumerate(candidates):
            result = beneficiary_offer(person, as_of=today)
            target = plan[index % len(plan)]
            if not result.plans or (target != "draft" and not result.decision.eligible):
                continue
            offered = rng.choice(result.plans)
            staff = User.objects.filter(
                role=Role.STAFF, staff_membership__organization__name=offered.organization
            ).first()
            application = services.application_create(
                beneficiary=person, actor=None, plan=MediMediPlan.objects.get(pk=offered.id)
            )
            application = self._advance(application, target, staff)
            counts[application.status] = counts.get(application.status, 0) + 1
        return counts

    def _advance(self, application: Application, target: str, staff: User | None) -> Application:
        if target == "draft":
            return application
        application = services.application_submit(application=application, actor=None)
        if target == "submitted" or staff is None:
            return application
        if target == "in_review":
            return services.application_start_review(application=application, actor=staff)
        if target == "info_requested":
            return services.application_request_info(
                application=application,
                actor=staff,
                note="Please send a copy of your Medi-Cal card.",
            )
        if target == "approved":
            return services.application_approve(application=application, actor=staff)
        if target == "denied":
            return services.application_deny(
                application=application,
                actor=staff,
                reasons=[DenialReason.IDENTITY_NOT_VERIFIED],
                note="The name on the application does not match our records.",
            )
        return services.application_withdraw(
            application=application, actor=staff, note="Member called."
        )
