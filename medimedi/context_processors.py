"""What every page's layout needs (templates/base.html): the USWDS version and the phone number."""

from __future__ import annotations

from django.http import HttpRequest

from notices.conf import notice_settings

# The vendored U.S. Web Design System, static/vendor/uswds/<version>/ (scripts/update_uswds.sh
# fetches a version and rewrites this line).
USWDS_VERSION = "3.14.0"

# The state's enrollment broker, for choosing or changing a Medi-Cal plan. Source: DHCS Health
# Care Options, "Frequently Asked Questions" (https://www.healthcareoptions.dhcs.ca.gov/
# frequently-asked-questions-faqs): "1-800-430-4263 (TTY 1-800-430-7077), 8 a.m. to 6 p.m. PT,
# Monday through Friday, except holidays".
HEALTH_CARE_OPTIONS_PHONE = "1-800-430-4263"
HEALTH_CARE_OPTIONS_TTY = "1-800-430-7077"


def layout(request: HttpRequest) -> dict[str, str]:
    """The layout's values: where USWDS is, and the program's phone number for the footer.

    The phone is the one the letters print (``NOTICES_PROGRAM_PHONE``): empty while it is unset
    or still the placeholder, and then the footer sends people to their plan's card instead.
    Health Care Options (the state's number for choosing a Medi-Cal plan) is always shown.
    """
    return {
        "uswds": f"vendor/uswds/{USWDS_VERSION}/",
        "program_phone": notice_settings().program_phone,
        "hco_phone": HEALTH_CARE_OPTIONS_PHONE,
        "hco_tty": HEALTH_CARE_OPTIONS_TTY,
    }
