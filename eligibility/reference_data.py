"""The program's reference data, copied from ../shared/domain.md (sections 4 and 5) with sources.

Loaded by migration ``0002_reference_data`` and by ``manage.py load_reference_data``; both are
idempotent and never overwrite what an admin has changed since (rows are matched by natural key
and only created when missing). Contract ids, PBPs and phone numbers that no public source read
for this project confirms are left empty rather than invented.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

SOURCE_ROLLOUT = (
    "domain.md section 4: DHCS program documents. 2023: former Cal MediConnect counties; "
    "2024: five counties; 2026: program goal 'statewide by 2026' (not confirmed per county)."
)
SOURCE_PLANS_2023 = (
    "domain.md section 5: plans' public pages and DHCS D-SNP list (2023). Contract and PBP "
    "unverified unless shown."
)

ROLLOUT_2023 = date(2023, 1, 1)
ROLLOUT_2024 = date(2024, 1, 1)
ROLLOUT_2026 = date(2026, 1, 1)

COUNTIES_2023 = {
    "Los Angeles",
    "Orange",
    "Riverside",
    "San Bernardino",
    "San Diego",
    "San Mateo",
    "Santa Clara",
}
COUNTIES_2024 = {"Fresno", "Kings", "Madera", "Sacramento", "Tulare"}

# All 58 counties in alphabetical order; FIPS are 06 + the odd numbers 001..115 in that order.
COUNTY_NAMES = (
    "Alameda", "Alpine", "Amador", "Butte", "Calaveras", "Colusa", "Contra Costa", "Del Norte",
    "El Dorado", "Fresno", "Glenn", "Humboldt", "Imperial", "Inyo", "Kern", "Kings", "Lake",
    "Lassen", "Los Angeles", "Madera", "Marin", "Mariposa", "Mendocino", "Merced", "Modoc",
    "Mono", "Monterey", "Napa", "Nevada", "Orange", "Placer", "Plumas", "Riverside",
    "Sacramento", "San Benito", "San Bernardino", "San Diego", "San Francisco", "San Joaquin",
    "San Luis Obispo", "San Mateo", "Santa Barbara", "Santa Clara", "Santa Cruz", "Shasta",
    "Sierra", "Siskiyou", "Solano", "Sonoma", "Stanislaus", "Sutter", "Tehama", "Trinity",
    "Tulare", "Tuolumne", "Ventura", "Yolo", "Yuba",
)  # fmt: skip


def county_rows() -> list[dict[str, Any]]:
    rows = []
    for index, name in enumerate(COUNTY_NAMES):
        if name in COUNTIES_2023:
            available = ROLLOUT_2023
        elif name in COUNTIES_2024:
            available = ROLLOUT_2024
        else:
            available = ROLLOUT_2026
        rows.append(
            {
                "fips": f"06{2 * index + 1:03d}",
                "name": name,
                "medi_medi_available_from": available,
                "source": SOURCE_ROLLOUT,
            }
        )
    return rows


# (code, organization, [Medi-Cal plans])
ORGANIZATIONS: list[tuple[str, str, list[str]]] = [
    ("lacare", "L.A. Care Health Plan", ["L.A. Care"]),
    ("iehp", "Inland Empire Health Plan", ["IEHP"]),
    ("caloptima", "CalOptima Health", ["CalOptima Health"]),
    ("hpsm", "Health Plan of San Mateo", ["Health Plan of San Mateo"]),
    ("scfhp", "Santa Clara Family Health Plan", ["Santa Clara Family Health Plan"]),
    ("healthnet", "Health Net", ["Health Net Community Solutions", "CalViva Health"]),
    ("bscpromise", "Blue Shield of California Promise", ["Blue Shield of California Promise Health Plan"]),
    ("chg", "Community Health Group", ["Community Health Group Partnership Plan"]),
    ("molina", "Molina Healthcare", ["Molina Healthcare of California"]),
    # Launches a D-SNP in January 2026; its counties are unconfirmed, so no Medi-Medi Plan yet.
    ("partnership", "Partnership HealthPlan of California", ["Partnership HealthPlan of California"]),
]  # fmt: skip

# The code each Medi-Cal plan carries in the state's eligibility files (medi_cal_plan_code).
# The DHCS plan codes are not in the sources read: these are the portal's own placeholders, to be
# replaced by an admin with the state's codes (each change is kept in the plan's history).
SOURCE_PLAN_CODES = "Portal placeholder code; replace with the DHCS plan code."
MEDI_CAL_PLAN_CODES: dict[str, str] = {
    "L.A. Care": "MC-LACARE",
    "IEHP": "MC-IEHP",
    "CalOptima Health": "MC-CALOPTIMA",
    "Health Plan of San Mateo": "MC-HPSM",
    "Santa Clara Family Health Plan": "MC-SCFHP",
    "Health Net Community Solutions": "MC-HNCS",
    "CalViva Health": "MC-CALVIVA",
    "Blue Shield of California Promise Health Plan": "MC-BSCPROMISE",
    "Community Health Group Partnership Plan": "MC-CHG",
    "Molina Healthcare of California": "MC-MOLINA",
    "Partnership HealthPlan of California": "MC-PARTNERSHIP",
}

END_2023 = date(2023, 12, 31)
_HN_END_2023 = (
    "domain.md section 5: Health Net's '2024 DHCS Medi-Cal Contract Transition' county pages "
    "(updated 2023-12-07): Health Net Community Solutions left Medi-Cal in Riverside, San "
    "Bernardino and San Diego on 2024-01-01, so its Medi-Medi service area there ends 2023-12-31."
)
# The second source the issue names (issue 9): DHCS's 2024 Medi-Cal plan contracts.
SOURCE_DHCS_2024_CONTRACTS = (
    "DHCS 2024 Medi-Cal managed care contracts (https://www.dhcs.ca.gov/MCP-Transition/Pages/"
    "Home.aspx; list of plans and counties as reported by the CMA, 2023-01-03: https://"
    "www.cmadocs.org/newsroom/news/view/ArticleId/50000/DHCS-finalizes-Medi-Cal-managed-care-"
    "contracts-for-2024-and-beyond): Health Net Community Solutions' 2024 counties are Amador, "
    "Calaveras, Inyo, Los Angeles, Mono, Sacramento, San Joaquin, Stanislaus, Tulare and "
    "Tuolumne, not Riverside, San Bernardino or San Diego."
)
_HN_END_2023 = f"{_HN_END_2023} {SOURCE_DHCS_2024_CONTRACTS}"

# Each plan: organization code, name, contract, PBP, source, and service areas as
# (county, aligned Medi-Cal plan, start date, source).
_S23 = SOURCE_PLANS_2023
_HN_2024 = "domain.md section 5: Health Net D-SNP FAQ; CalViva Health aligned in Fresno, Kings, Madera from 2024."
_HN_2026 = (
    "domain.md section 5: Health Net D-SNP FAQ: H3561-008 becomes a Medi-Medi Plan in these "
    "counties from 2026-01-01. Aligned Medi-Cal plan assumed Health Net Community Solutions "
    "(to confirm)."
)

PLANS: list[dict[str, Any]] = [
    {
        "organization": "lacare", "name": "L.A. Care Medicare Plus", "contract": None, "pbp": None,
        "source": _S23 + " Contract id unknown.",
        "areas": [("Los Angeles", "L.A. Care", ROLLOUT_2023, _S23)],
    },
    {
        "organization": "iehp", "name": "IEHP DualChoice", "contract": None, "pbp": None,
        "source": _S23 + " Contract id unknown.",
        "areas": [
            ("Riverside", "IEHP", ROLLOUT_2023, _S23),
            ("San Bernardino", "IEHP", ROLLOUT_2023, _S23),
        ],
    },
    {
        "organization": "caloptima", "name": "CalOptima Health OneCare", "contract": None,
        "pbp": None, "source": _S23 + " Contract id unknown.",
        "areas": [("Orange", "CalOptima Health", ROLLOUT_2023, _S23)],
    },
    {
        "organization": "hpsm", "name": "CareAdvantage", "contract": None, "pbp": None,
        "source": _S23 + " Contract id unknown.",
        "areas": [("San Mateo", "Health Plan of San Mateo", ROLLOUT_2023, _S23)],
    },
    {
        "organization": "scfhp", "name": "SCFHP DualConnect", "contract": None, "pbp": None,
        "source": _S23 + " Contract id unknown.",
        "areas": [("Santa Clara", "Santa Clara Family Health Plan", ROLLOUT_2023, _S23)],
    },
    {
        "organization": "healthnet", "name": "Wellcare by Health Net", "contract": "H3561",
        "pbp": None, "source": _S23 + " Contract H3561 confirmed; PBP for these counties unknown.",
        "areas": [
            ("Los Angeles", "Health Net Community Solutions", ROLLOUT_2023, _S23),
            # Health Net Community Solutions stopped serving Medi-Cal there on 2024-01-01: a
            # Medi-Medi Plan cannot stay aligned where its organization has no Medi-Cal plan.
            ("Riverside", "Health Net Community Solutions", ROLLOUT_2023, _HN_END_2023, END_2023),
            ("San Bernardino", "Health Net Community Solutions", ROLLOUT_2023, _HN_END_2023, END_2023),
            ("San Diego", "Health Net Community Solutions", ROLLOUT_2023, _HN_END_2023, END_2023),
            ("Fresno", "CalViva Health", ROLLOUT_2024, _HN_2024),
            ("Kings", "CalViva Health", ROLLOUT_2024, _HN_2024),
            ("Madera", "CalViva Health", ROLLOUT_2024, _HN_2024),
        ],
    },
    {
        "organization": "healthnet", "name": "Wellcare by Health Net (H3561-008)",
        "contract": "H3561", "pbp": "008", "source": _HN_2026,
        "areas": [
            (county, "Health Net Community Solutions", ROLLOUT_2026, _HN_2026)
            for county in ("Amador", "Calaveras", "San Joaquin", "Stanislaus", "Tuolumne", "Mono", "Inyo")
        ],
    },
    {
        "organization": "bscpromise", "name": "Blue Shield TotalDual", "contract": None,
        "pbp": None, "source": _S23 + " Contract id unknown.",
        "areas": [
            ("Los Angeles", "Blue Shield of California Promise Health Plan", ROLLOUT_2023, _S23),
            ("San Diego", "Blue Shield of California Promise Health Plan", ROLLOUT_2023, _S23),
        ],
    },
    {
        "organization": "chg", "name": "Community Health Group Medi-Medi Plan", "contract": None,
        "pbp": None, "source": _S23 + " Plan name and contract id unknown.",
        "areas": [("San Diego", "Community Health Group Partnership Plan", ROLLOUT_2023, _S23)],
    },
    {
        "organization": "molina", "name": "Molina Healthcare Medi-Medi Plan", "contract": None,
        "pbp": None, "source": _S23 + " Plan name and contract id unknown.",
        "areas": [
            (county, "Molina Healthcare of California", ROLLOUT_2023, _S23)
            for county in ("Los Angeles", "Riverside", "San Bernardino", "San Diego")
        ],
    },
]  # fmt: skip


# Member services numbers (issue 10, "one card, one number"), each from the plan's own public
# page, recorded in the plan's ``source``. A plan whose number no source read confirms keeps it
# empty: letters and the ID card then say it is not yet set, never a guess. Contract and PBP
# ids other than Health Net's H3561-008 were not found in a plan's Evidence of Coverage or in
# CMS's plan directory in the sources read, so they stay empty ("unknown" on the card), and so
# do the pharmacy billing numbers (RxBIN, RxPCN, RxGroup) of every plan.
PLAN_CONTACTS: dict[str, dict[str, str]] = {
    "L.A. Care Medicare Plus": {
        "member_phone": "1-833-522-3767",
        "member_tty": "711",
        "source": "https://medicare.lacare.org/members/2023-plan-benefits "
        "(2023: 'call L.A. Care Medicare Plus at 1-833-522-DSNP (3767), TTY: 711')",
    },
    "IEHP DualChoice": {
        "member_phone": "1-877-273-4347",
        "member_tty": "1-800-718-4347",
        "source": "https://www.iehp.org/en/browse-plans/dualchoice/grievances--coverage-"
        "determination-and-appeals-process (IEHP DualChoice (HMO D-SNP): IEHP Member Services "
        "1-877-273-IEHP (4347)); TTY 1-800-718-4347: https://iehp.org/content/iehp-org/en/"
        "learning-center/understanding-insurance/iehp-guide.html (IEHP Member Services TTY)",
    },
    "CalOptima Health OneCare": {
        "member_phone": "1-877-412-2734",
        "member_tty": "711",
        "source": "https://caloptima.org/en/ForMembers/OneCare/Disclaimers (CalOptima Health "
        "OneCare (HMO D-SNP): OneCare Customer Service 1-877-412-2734 (TTY 711))",
    },
    "CareAdvantage": {
        "member_phone": "1-866-880-0606",
        "member_tty": "1-800-735-2929",
        "source": "https://hpsm.org/member/my-health-plan/careadvantage-2024/end-my-membership "
        "(CareAdvantage D-SNP 2024: CareAdvantage Unit 1-866-880-0606, TTY 1-800-735-2929 or "
        "7-1-1)",
    },
    "SCFHP DualConnect": {
        "member_phone": "1-877-723-4795",
        "member_tty": "711",
        "source": "https://www.scfhp.com/healthcare-plans/dualconnect/complaints-grievances-"
        "appeals/ (SCFHP DualConnect (HMO D-SNP) Customer Service 1-877-723-4795 (TTY: 711))",
    },
    "Blue Shield TotalDual": {
        "member_phone": "1-800-452-4413",
        "member_tty": "711",
        "source": "https://www.blueshieldca.com/bsca/bsc/wcm/connect/sites/Sites_Content_EN/"
        "medicare/resources/general-resources/plan-documents-MAPD (Blue Shield TotalDual Plan "
        "(HMO D-SNP) Customer Care (800) 452-4413 (TTY: 711))",
    },
    "Community Health Group Medi-Medi Plan": {
        "member_phone": "1-800-224-7766",
        "member_tty": "1-855-266-4584",
        "source": "https://www.chgsd.com/members/member-emergency-preparedness-plan (CHG Member "
        "Services 1-800-224-7766, TTY 1-855-266-4584 or 711; the organization's number for all "
        "its plans, the Medi-Medi Plan's own line not confirmed)",
    },
    "Wellcare by Health Net (H3561-008)": {
        "member_phone": "1-800-431-9007",
        "member_tty": "",
        "source": "https://wellcare.healthnetcalifornia.com/for-brokers/dsnp-faq.html (D-SNP "
        "members outside Fresno, Kings and Madera: Member Services 800-431-9007; TTY not shown)",
    },
}
# Two numbers by county, so no one number for the plan: left empty on purpose.
PLAN_CONTACT_NOTES: dict[str, str] = {
    "Wellcare by Health Net": "Member services not set: https://wellcare.healthnetcalifornia.com/"
    "for-brokers/dsnp-faq.html gives two D-SNP numbers by county (Fresno, Kings, Madera: "
    "833-236-2366; the other counties: 800-431-9007), not one number for this plan.",
    "Molina Healthcare Medi-Medi Plan": "Member services not set: no public source read shows "
    "the Medi-Medi Plan's own number.",
}
CONTACT_FIELDS = ("member_phone", "member_tty")


def fill_plan_contacts(MediMediPlan: Any, *, history: Any = None) -> list[Any]:
    """Fill each plan's empty member services fields from ``PLAN_CONTACTS``; return the plans changed.

    Only empty fields are filled, so a number an admin set stays. The source of each value is
    appended to the plan's ``source``. ``history`` (a callable taking the plan) records the change.
    """
    fields = {f.name for f in MediMediPlan._meta.get_fields()}
    changed = []
    for plan in MediMediPlan.objects.filter(name__in=[*PLAN_CONTACTS, *PLAN_CONTACT_NOTES]):
        spec = PLAN_CONTACTS.get(plan.name, {})
        updates = [
            name
            for name in CONTACT_FIELDS
            if name in fields and spec.get(name) and not getattr(plan, name)
        ]
        for name in updates:
            setattr(plan, name, spec[name])
        note = (
            f"Member services: {spec['source']}"
            if updates
            else PLAN_CONTACT_NOTES.get(plan.name, "")
        )
        if note and note not in plan.source:
            plan.source = f"{plan.source} {note}".strip()
            updates.append("source")
        if updates:
            plan.save(update_fields=updates)
            if history is not None:
                history(plan)
            changed.append(plan)
    return changed


def load(
    *, County: Any, Organization: Any, MediCalPlan: Any, MediMediPlan: Any, ServiceArea: Any
) -> dict[str, int]:
    """Create whatever reference rows are missing; return how many of each were created.

    Takes the model classes so the data migration can pass its historical models.
    """
    created = {
        "counties": 0,
        "organizations": 0,
        "medi_cal_plans": 0,
        "plans": 0,
        "service_areas": 0,
    }
    counties = {}
    for row in county_rows():
        county, was_created = County.objects.get_or_create(
            fips=row["fips"],
            defaults={k: v for k, v in row.items() if k != "fips"},
        )
        counties[county.name] = county
        created["counties"] += was_created
    organizations = {}
    medi_cal_plans = {}
    # Migrations older than the plan codes pass a historical model without the field.
    has_codes = any(f.name == "state_code" for f in MediCalPlan._meta.get_fields())
    for code, name, mc_names in ORGANIZATIONS:
        org, was_created = Organization.objects.get_or_create(
            code=code, defaults={"name": name, "source": "domain.md section 5"}
        )
        organizations[code] = org
        created["organizations"] += was_created
        for mc_name in mc_names:
            mc, was_created = MediCalPlan.objects.get_or_create(
                organization=org,
                name=mc_name,
                defaults={"source": f"domain.md section 5. {SOURCE_PLAN_CODES}"}
                | ({"state_code": MEDI_CAL_PLAN_CODES.get(mc_name)} if has_codes else {}),
            )
            if has_codes and mc.state_code is None and MEDI_CAL_PLAN_CODES.get(mc_name):
                # Databases made before the codes existed get them once; an admin's code stays.
                mc.state_code = MEDI_CAL_PLAN_CODES[mc_name]
                mc.save(update_fields=["state_code"])
            medi_cal_plans[(code, mc_name)] = mc
            created["medi_cal_plans"] += was_created
    for spec in PLANS:
        org = organizations[spec["organization"]]
        plan, was_created = MediMediPlan.objects.get_or_create(
            organization=org,
            name=spec["name"],
            defaults={
                "contract_number": spec["contract"],
                "pbp": spec["pbp"],
                "source": spec["source"],
            },
        )
        created["plans"] += was_created
        for county_name, mc_name, start, source, *end in spec["areas"]:
            _, was_created = ServiceArea.objects.get_or_create(
                plan=plan,
                county=counties[county_name],
                start_date=start,
                defaults={
                    "aligned_medi_cal_plan": medi_cal_plans[(spec["organization"], mc_name)],
                    "source": source,
                    "end_date": end[0] if end else None,
                },
            )
            created["service_areas"] += was_created
    service_area_ends_fill(ServiceArea)
    if any(f.name == "member_tty" for f in MediMediPlan._meta.get_fields()):
        # Migrations older than the card fields pass a model without them (0011 fills those).
        fill_plan_contacts(MediMediPlan)
    if any(f.name == "program" for f in MediMediPlan._meta.get_fields()):
        # Migrations older than the legacy plans pass a model without the field (h4 loads them).
        legacy_plans_load(
            County=County,
            Organization=Organization,
            MediCalPlan=MediCalPlan,
            MediMediPlan=MediMediPlan,
            ServiceArea=ServiceArea,
        )
    return created


def service_area_ends_fill(
    ServiceArea: Any, *, history: Callable[[Any], None] | None = None
) -> int:
    """Set the sourced end dates on service areas still open from before they were known.

    Only an open row (no end date) of the named plan, county and start changes; an end an
    admin set stays. ``history`` is called with each changed row. Returns how many changed.
    """
    changed = 0
    for spec in PLANS:
        for county_name, _mc_name, start, source, *end in spec["areas"]:
            if not end:
                continue
            rows = ServiceArea.objects.filter(
                plan__organization__code=spec["organization"],
                plan__name=spec["name"],
                county__name=county_name,
                start_date=start,
                end_date__isnull=True,
            )
            for area in rows:
                area.end_date, area.source = end[0], source
                area.save(update_fields=["end_date", "source"])
                if history is not None:
                    history(area)
                changed += 1
    return changed


# --- Legacy Cal MediConnect plans (2022), for the 2023 crosswalk (issue 9) -------------------

CMC_START_2022 = date(2022, 1, 1)
CMC_END_2022 = date(2022, 12, 31)
CMC_PROGRAM = "CMC"
_CMC_SOURCE = (
    "Cal MediConnect (2014-2022) in the seven CCI counties: https://www.dhcs.ca.gov/provgovpart/"
    "Pages/CoordinatedCareInitiative.aspx; ended 2022-12-31, its members moved on 2023-01-01 "
    "into the Medi-Medi Plan of the same carrier (domain.md section 6; https://stateofreform.com/"
    "featured/2023/01/californias-cal-mediconnect-transitions-to-medicare-medi-cal-plans/: "
    "'provided by the same insurance carriers as Cal MediConnect'). Loaded for plan year 2022 "
    "only. The name is the portal's label, not the plan's marketing name; contract id unknown. "
    "Counties: the organization's 2023 Medi-Medi counties (inferred from the crosswalk, to "
    "confirm per county)."
)


def legacy_plan_rows() -> list[dict[str, Any]]:
    """One 2022 Cal MediConnect plan per organization with a 2023 Medi-Medi Plan.

    Its counties and aligned Medi-Cal plan are those of the organization's Medi-Medi service
    areas that start on 2023-01-01 (the crosswalk moved members within the same carrier).
    """
    names = {code: name for code, name, _ in ORGANIZATIONS}
    rows: dict[str, dict[str, Any]] = {}
    for spec in PLANS:
        for county_name, mc_name, start, *_ in spec["areas"]:
            if start != ROLLOUT_2023:
                continue
            code = spec["organization"]
            row = rows.setdefault(
                code,
                {
                    "organization": code,
                    "name": f"{names[code]} Cal MediConnect plan (2022)",
                    "crosswalk_to": spec["name"],
                    "areas": [],
                },
            )
            if all(area[0] != county_name for area in row["areas"]):
                row["areas"].append((county_name, mc_name))
    return list(rows.values())


def legacy_plans_load(
    *,
    County: Any,
    Organization: Any,
    MediCalPlan: Any,
    MediMediPlan: Any,
    ServiceArea: Any,
    history: Callable[[Any], None] | None = None,
) -> int:
    """Create the missing 2022 Cal MediConnect plans and their 2022 service areas; return how many
    rows were created. Contract and PBP stay empty (no source read gives them)."""
    created = 0
    counties = {county.name: county for county in County.objects.all()}
    for row in legacy_plan_rows():
        org = Organization.objects.filter(code=row["organization"]).first()
        if org is None:
            continue
        plan, was_created = MediMediPlan.objects.get_or_create(
            organization=org,
            name=row["name"],
            defaults={"program": CMC_PROGRAM, "source": _CMC_SOURCE},
        )
        if was_created:
            created += 1
            if history is not None:
                history(plan)
        for county_name, mc_name in row["areas"]:
            medi_cal = MediCalPlan.objects.filter(organization=org, name=mc_name).first()
            if medi_cal is None or county_name not in counties:
                continue
            area, was_created = ServiceArea.objects.get_or_create(
                plan=plan,
                county=counties[county_name],
                start_date=CMC_START_2022,
                defaults={
                    "aligned_medi_cal_plan": medi_cal,
                    "end_date": CMC_END_2022,
                    "source": _CMC_SOURCE,
                },
            )
            if was_created:
                created += 1
                if history is not None:
                    history(area)
    return created


def health_net_2024_sources_fill(
    ServiceArea: Any, *, history: Callable[[Any], None] | None = None
) -> int:
    """Add the DHCS 2024 contracts source to Health Net's three service areas that end
    2023-12-31, where it is missing (databases loaded before it was recorded)."""
    changed = 0
    rows = ServiceArea.objects.filter(
        plan__organization__code="healthnet",
        plan__name="Wellcare by Health Net",
        county__name__in=["Riverside", "San Bernardino", "San Diego"],
        start_date=ROLLOUT_2023,
        end_date=END_2023,
    )
    for area in rows:
        if SOURCE_DHCS_2024_CONTRACTS in area.source:
            continue
        area.source = f"{area.source} {SOURCE_DHCS_2024_CONTRACTS}".strip()
        area.save(update_fields=["source"])
        if history is not None:
            history(area)
        changed += 1
    return changed
