"""Reference data (counties, organizations, plans, service areas) and, later, beneficiaries.

Reference data is editable by admins and every change is kept (django-simple-history): who,
when, the old and the new values.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

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


class MediCalPlan(models.Model):
    """A Medi-Cal managed care plan of an organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="medi_cal_plans"
    )
    name = models.CharField(max_length=128)
    source = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="medi_cal_plan_unique")
        ]

    def __str__(self) -> str:
        return self.name


class MediMediPlan(models.Model):
    """An Exclusively Aligned Enrollment D-SNP, called a Medi-Medi Plan in California."""

    INTEGRATION_TYPE = "EAE_DSNP"

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
        if (
            self.plan_id
            and self.aligned_medi_cal_plan_id
            and self.aligned_medi_cal_plan.organization_id != self.plan.organization_id
        ):
            raise ValidationError(
                {
                    "aligned_medi_cal_plan": "The aligned Medi-Cal plan must belong to the plan's organization."
                }
            )
