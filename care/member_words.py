"""Words of the care models' choices that members read, marked for translation (docs/i18n.md).

The models keep plain English labels (staff pages, the API and the audit use them as they are).
The member's care page translates a label where it shows it (``{% translate
request_row.get_status_display %}``): each label below is in the catalog, and
``tests/care/test_care_letters.py`` checks this list covers every label the page shows.
"""

from django.utils.translation import gettext_noop, pgettext_lazy

MEMBER_CHOICE_LABELS = (
    # care.models.AssessmentKind (also the reason of a plan written from an assessment)
    gettext_noop("Initial assessment"),
    gettext_noop("Reassessment"),
    # care.models.AssessmentStatus
    gettext_noop("Due"),
    gettext_noop("Completed"),
    gettext_noop("Refused by the member"),
    gettext_noop("Unable to reach"),
    # care.models.PlanItemKind
    gettext_noop("Goal"),
    gettext_noop("Intervention"),
    gettext_noop("Service"),
    # care.models.ContinuityStatus
    gettext_noop("Waiting for a decision"),
    gettext_noop("Approved"),
    gettext_noop("Denied"),
    # The care team's roles: the member, the coordinator (care.selectors) and care.models.TeamRole
    gettext_noop("Member"),
    gettext_noop("Care coordinator"),
    gettext_noop("Medicare provider (primary care or specialist)"),
    gettext_noop("Medi-Cal provider"),
    gettext_noop("County In-Home Supportive Services social worker"),
    gettext_noop("County specialty mental health"),
    gettext_noop("Caregiver or family"),
    gettext_noop("Other"),
)

# The member's grievances and appeals page (/me/care/cases/, care/templates/care/appeals_member.html)
# translates these the same way; ``tests/care/test_appeals_member_spanish.py`` checks they cover
# every kind and outcome label. Statuses carry a context: in Spanish they agree with "queja" and
# "apelación" (feminine), ``{% translate case.get_status_display context "appeal case status" %}``.
APPEAL_CHOICE_LABELS = (
    # care.models.AppealKind
    gettext_noop("Grievance"),
    gettext_noop("Appeal"),
    # care.models.AppealOutcome
    gettext_noop("In the member's favor"),
    gettext_noop("Against the member"),
)
APPEAL_STATUS_LABELS = (
    # care.models.AppealStatus
    pgettext_lazy("appeal case status", "Open"),
    pgettext_lazy("appeal case status", "Resolved"),
)
