"""Reference data (counties, organizations, plans, service areas), beneficiaries, determinations.

Reference data is editable by admins and every change is kept (django-simple-history): who,
when, the old and the new values.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from eligibility.rules import is_first_of_month, is_restricted_scope_aid_code
from eligibility.rules.names import name_key

# A member's format for letters is the notices engine's own list (a standing request).
from notices.models import Notice, NoticeFormat

# Medicare Advantage coverage, a D-SNP's included, starts on the first of a month (42 CFR 422.68).
FIRST_OF_MONTH_MESSAGE = (
    "Coverage always starts on the first of a month (42 CFR 422.68): give a date that is the "
    "first day of a month."
)
ALIGNED_ORGANIZATION_MESSAGE = "The aligned Medi-Cal plan must belong to the plan's organization."

fips_validator = RegexValidator(
    r"^06[0-9]{3}$", "A California county FIPS code is 06 and 3 digits."
)
contract_validator = RegexValidator(r"^H[0-9]{4}$", "A CMS contract number is H and 4 digits.")
pbp_validator = RegexValidator(r"^[0-9]{3}$", "A plan benefit package number is 3 digits.")


class County(models.Model):
    fips = models.CharField(max_length=5, unique=True, validators=[fips_validator])
    name = models.CharField(max_length=64, unique=True)
    medi_medi_available_from = models.DateField(
        help_text="First day Medi-Medi Plans are offered in this county (domain.md section 4)."
    )
    source = models.TextField(blank=True, help_text="Where the availability date comes from.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "counties"

    def __str__(self) -> str:
        return f"{self.name} ({self.fips})"

    def clean(self) -> None:
        if self.medi_medi_available_from and not is_first_of_month(self.medi_medi_available_from):
            raise ValidationError({"medi_medi_available_from": FIRST_OF_MONTH_MESSAGE})


class Organization(models.Model):
    """A parent organization running a Medicare D-SNP and a Medi-Cal managed care plan."""

    name = models.CharField(max_length=128, unique=True)
    code = models.SlugField(max_length=32, unique=True)
    source = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffMembership(models.Model):
    """A plan enrollment staff member works for one organization and sees only its members.

    Kept on the organization's side so the accounts app (logins, roles, audit) imports no
    feature app. A staff login without a membership sees no member data at all.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="staff_memberships"
    )
    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="staff_membership"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization", "user"]

    def __str__(self) -> str:
        return f"Staff {self.user_id} of organization {self.organization_id}"


class MediCalPlan(models.Model):
    """A Medi-Cal managed care plan of an organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="medi_cal_plans"
    )
    name = models.CharField(max_length=128)
    state_code = models.CharField(
        max_length=16,
        unique=True,
        null=True,
        blank=True,
        help_text=(
            "The state's code for this plan in eligibility files (medi_cal_plan_code). "
            "Empty until recorded."
        ),
    )
    source = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="medi_cal_plan_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PlanProgram(models.TextChoices):
    """Which program a plan belongs to: a Medi-Medi Plan, or a legacy Cal MediConnect plan.

    Cal MediConnect plans (the 2014-2022 demonstration's Medicare-Medicaid Plans) are kept as
    legacy rows so the 2023 crosswalk can be shown as a transfer; they are never offered.
    """

    MEDI_MEDI = "EAE_DSNP", "Medi-Medi Plan (EAE D-SNP)"
    CAL_MEDICONNECT = "CMC", "Cal MediConnect (legacy, 2014-2022)"


class MediMediPlan(models.Model):
    """An Exclusively Aligned Enrollment D-SNP, called a Medi-Medi Plan in California.

    A row with ``program`` Cal MediConnect is a legacy plan: history only, never offered.
    """

    INTEGRATION_TYPE = "EAE_DSNP"

    program = models.CharField(
        max_length=16,
        choices=PlanProgram.choices,
        default=PlanProgram.MEDI_MEDI,
        help_text="Legacy Cal MediConnect plans are kept for history and transfers, never offered.",
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="medi_medi_plans"
    )
    name = models.CharField(max_length=128)
    contract_number = models.CharField(
        max_length=5,
        null=True,
        blank=True,
        validators=[contract_validator],
        help_text="CMS contract (H and 4 digits). Empty when not confirmed by a public source.",
    )
    pbp = models.CharField(
        max_length=3,
        null=True,
        blank=True,
        validators=[pbp_validator],
        help_text="Plan benefit package (3 digits). Empty when not confirmed.",
    )
    member_phone = models.CharField(
        max_length=32, blank=True, help_text="The one member services number. Empty if unknown."
    )
    member_tty = models.CharField(
        max_length=32, blank=True, help_text="TTY for the member services number. Empty if unknown."
    )
    rx_bin = models.CharField(
        "RxBIN", max_length=6, blank=True, help_text="Pharmacy billing BIN (6 digits)."
    )
    rx_pcn = models.CharField("RxPCN", max_length=10, blank=True)
    rx_group = models.CharField("RxGroup", max_length=15, blank=True)
    source = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="medi_medi_plan_unique"),
            models.UniqueConstraint(
                fields=["contract_number", "pbp"],
                condition=models.Q(contract_number__isnull=False, pbp__isnull=False),
                name="medi_medi_plan_contract_pbp_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def contract_id(self) -> str | None:
        """``H1234-001`` when both parts are known, ``H1234`` with only the contract, else None."""
        if not self.contract_number:
            return None
        return f"{self.contract_number}-{self.pbp}" if self.pbp else self.contract_number


class ServiceArea(models.Model):
    """A Medi-Medi Plan serves a county from ``start_date`` to ``end_date`` (inclusive).

    The aligned Medi-Cal plan is per county: Health Net's aligned plan is CalViva Health in
    Fresno, Kings and Madera, Health Net Community Solutions elsewhere.
    """

    plan = models.ForeignKey(MediMediPlan, on_delete=models.PROTECT, related_name="service_areas")
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="service_areas")
    aligned_medi_cal_plan = models.ForeignKey(
        MediCalPlan, on_delete=models.PROTECT, related_name="aligned_service_areas"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    source = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["county__name", "plan__name", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="service_area_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["plan", "county", "start_date"], name="service_area_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} in {self.county.name} from {self.start_date}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (
            self.plan_id
            and self.aligned_medi_cal_plan_id
            and self.aligned_medi_cal_plan.organization_id != self.plan.organization_id
        ):
            # PostgreSQL holds this too (trigger service_area_aligned_same_organization).
            errors["aligned_medi_cal_plan"] = ALIGNED_ORGANIZATION_MESSAGE
        if self.start_date and not is_first_of_month(self.start_date):
            errors["start_date"] = FIRST_OF_MONTH_MESSAGE
        if errors:
            raise ValidationError(errors)


class Language(models.TextChoices):
    """Medi-Cal threshold languages offered statewide (domain.md section 7), plus Hmong."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Español (Spanish)"
    ARABIC = "ar", "العربية (Arabic)"
    ARMENIAN = "hy", "Հայերեն (Armenian)"
    CHINESE_SIMPLIFIED = "zh-Hans", "简体中文 (Chinese, Simplified)"
    CHINESE_TRADITIONAL = "zh-Hant", "繁體中文 (Chinese, Traditional)"
    FARSI = "fa", "فارسی (Farsi)"
    KHMER = "km", "ខ្មែរ (Khmer)"
    KOREAN = "ko", "한국어 (Korean)"
    RUSSIAN = "ru", "Русский (Russian)"
    TAGALOG = "tl", "Tagalog"
    VIETNAMESE = "vi", "Tiếng Việt (Vietnamese)"
    HMONG = "hmn", "Hmoob (Hmong)"


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Unknown"


class Beneficiary(models.Model):
    """A person on the state's eligibility records: identity and coverage facts with dates.

    Everything here is protected health information: never log it, audit staff reads.
    """

    first_name = models.CharField(max_length=64)
    middle_initial = models.CharField(max_length=1, blank=True)
    last_name = models.CharField(max_length=64)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    mbi = models.CharField("MBI", max_length=11, unique=True)
    cin = models.CharField("CIN", max_length=9, unique=True)
    address_line1 = models.CharField(max_length=128)
    address_line2 = models.CharField(max_length=128, blank=True)
    city = models.CharField(max_length=64)
    zip_code = models.CharField(max_length=10)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="beneficiaries")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    preferred_language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    preferred_format = models.CharField(
        max_length=24, choices=NoticeFormat.choices, default=NoticeFormat.STANDARD
    )
    medicare_part_a_start = models.DateField(null=True, blank=True)
    medicare_part_a_end = models.DateField(null=True, blank=True)
    medicare_part_b_start = models.DateField(null=True, blank=True)
    medicare_part_b_end = models.DateField(null=True, blank=True)
    incarcerated = models.BooleanField(default=False)
    lawfully_present = models.BooleanField(default=True)
    user = models.OneToOneField(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="beneficiary",
        help_text="The member account linked to this person, once they proved who they are.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    # The names as staff search them (``eligibility.rules.names.name_key``: lower case, no
    # accents), set by ``save`` and by the eligibility-file loader; searched exactly, indexed.
    search_first_name = models.CharField(max_length=64, blank=True, default="", editable=False)
    search_last_name = models.CharField(max_length=64, blank=True, default="", editable=False)
    # The monthly state file writes a history row per person changed: index only what the
    # history is read by (the person's id, the date), not every unique field copied into it.
    history = HistoricalRecords(no_db_index=["mbi", "cin", "county", "user"])

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "beneficiaries"
        indexes = [
            models.Index(fields=["last_name", "date_of_birth"]),
            # Covering (PostgreSQL): a name search reads the ids from the index alone.
            models.Index(
                fields=["search_last_name", "search_first_name"],
                include=["date_of_birth", "id"],
                name="beneficiary_search_name",
            ),
        ]

    def __str__(self) -> str:
        # Ids only: a beneficiary's name must not end up in logs through str().
        return f"Beneficiary {self.pk}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_first_name = name_key(self.first_name)[:64]
        self.search_last_name = name_key(self.last_name)[:64]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"first_name", "last_name"} & set(update_fields):  # type: ignore[call-overload]
            kwargs["update_fields"] = {*update_fields, "search_first_name", "search_last_name"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class BeneficiaryLetter(models.Model):
    """Whose letter a notice is, and which organization's event sent it.

    The notices app knows nothing of beneficiaries or plans; this row ties a notice to both, as
    fields. ``organization`` is null for the program's own letters (county transitions), which
    every organization's staff may see; otherwise only that organization's staff (and admins).
    """

    notice = models.OneToOneField(
        Notice, on_delete=models.CASCADE, primary_key=True, related_name="beneficiary_letter"
    )
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="letters")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["beneficiary", "organization"])]

    def __str__(self) -> str:
        return f"Letter {self.notice_id} to beneficiary {self.beneficiary_id}"


class MediCalScope(models.TextChoices):
    FULL = "full", "Full scope"
    RESTRICTED = "restricted", "Restricted scope"


class ShareOfCostStatus(models.TextChoices):
    NONE = "none", "No share of cost"
    MET = "met", "Share of cost met"
    UNMET = "unmet", "Share of cost not met"


class MSPCategory(models.TextChoices):
    NONE = "none", "None"
    QMB = "QMB", "QMB"
    SLMB = "SLMB", "SLMB"
    QI = "QI", "QI"
    QDWI = "QDWI", "QDWI"


class MediCalEligibility(models.Model):
    """A period of Medi-Cal eligibility under one aid code (or of MSP only, with no scope)."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="medi_cal_periods"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    aid_code = models.CharField(max_length=2, blank=True)
    scope = models.CharField(
        max_length=16,
        choices=MediCalScope.choices,
        blank=True,
        help_text="Empty for a Medicare Savings Program only (a partial dual).",
    )
    share_of_cost = models.CharField(
        max_length=8, choices=ShareOfCostStatus.choices, default=ShareOfCostStatus.NONE
    )
    msp = models.CharField(max_length=8, choices=MSPCategory.choices, default=MSPCategory.NONE)
    history = HistoricalRecords()

    class Meta:
        ordering = ["beneficiary", "start_date"]
        verbose_name_plural = "Medi-Cal eligibility periods"
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "start_date"], name="medi_cal_period_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="medi_cal_period_end_after_start",
            ),
            # No Medi-Cal (MSP only) cannot have a share of cost: a share of cost is Medi-Cal's.
            models.CheckConstraint(
                condition=~models.Q(scope="") | models.Q(share_of_cost=ShareOfCostStatus.NONE),
                name="medi_cal_period_share_of_cost_needs_medi_cal",
            ),
        ]

    def __str__(self) -> str:
        return f"Medi-Cal period {self.pk} from {self.start_date}"

    def clean(self) -> None:
        """Refuse facts that contradict each other, each error keyed on the field at fault."""
        errors: dict[str, str] = {}
        if not self.scope and self.share_of_cost != ShareOfCostStatus.NONE:
            errors["share_of_cost"] = (
                "A share of cost needs Medi-Cal: with no Medi-Cal (a Medicare Savings Program "
                "only) the share of cost is none."
            )
        if self.scope == MediCalScope.FULL and is_restricted_scope_aid_code(self.aid_code):
            errors["scope"] = (
                f"Aid code {self.aid_code.strip().upper()} is restricted scope (DHCS Aid Codes "
                "Master Chart: pregnancy-related, postpartum and emergency services only), so "
                "the period cannot be full scope."
            )
        if errors:
            raise ValidationError(errors)

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class EligibilityDetermination(models.Model):
    """A stored run of the rules on a beneficiary's recorded facts, so a decision can be explained."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="determinations"
    )
    county = models.ForeignKey(County, on_delete=models.PROTECT)
    as_of = models.DateField()
    facts = models.JSONField(help_text="The facts the rules evaluated (snapshot).")
    eligible = models.BooleanField()
    dual_status_code = models.CharField(max_length=2)
    dual_status_category = models.CharField(max_length=16)
    reasons = models.JSONField(default=list, help_text="[{code, message}] of every failed check.")
    earliest_effective_date = models.DateField(null=True, blank=True)
    policy_version = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Determination {self.pk} ({'eligible' if self.eligible else 'not eligible'})"
