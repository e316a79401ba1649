"""The plan's own member ID, printed on the member ID card instead of the MBI (issue 10).

A member ID is the plan's prefix (up to four letters of its organization's code, upper case)
and nine random digits, e.g. ``HPSM482913570``. It carries no meaning and no PHI, and is unique
within the plan: a database constraint holds that, and the generator draws again on a clash.
"""

import re
import secrets

from eligibility.models import MediMediPlan
from enrollment.models import Enrollment

ATTEMPTS = 20


def member_id_prefix(plan: MediMediPlan) -> str:
    letters = re.sub(r"[^A-Z]", "", plan.organization.code.upper())
    return letters[:4] or "MM"


def member_id_new(plan: MediMediPlan) -> str:
    """Return a member ID not yet used in ``plan``."""
    prefix = member_id_prefix(plan)
    for _ in range(ATTEMPTS):
        candidate = f"{prefix}{secrets.randbelow(9 * 10**8) + 10**8}"
        if not Enrollment.objects.filter(medi_medi_plan=plan, member_id=candidate).exists():
            return candidate
    raise RuntimeError("could not draw an unused member ID")  # 1e9 numbers: never in practice
