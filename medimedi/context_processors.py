"""What every page's layout needs (templates/base.html): the USWDS version and the phone number."""

from __future__ import annotations

from django.http import HttpRequest

from notices.conf import notice_settings

# The vendored U.S. Web Design System, static/vendor/uswds/<version>/ (scripts/update_uswds.sh
# fetches a version and rewrites this line).
USWDS_VERSION = "3.14.0"


def layout(request: HttpRequest) -> dict[str, str]:
    """The layout's values: where USWDS is, and the program's phone number for the footer.

    The phone is the one the letters print (``NOTICES_PROGRAM_PHONE``): empty while it is unset
    or still the placeholder, and then the footer sends people to their plan's card instead.
    """
    return {
        "uswds": f"vendor/uswds/{USWDS_VERSION}/",
        "program_phone": notice_settings().program_phone,
    }
