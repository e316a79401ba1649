"""Words of the models' choices that members read, marked for translation (docs/i18n.md).

The models keep plain English labels: letters, the API and staff pages use them as they are,
whatever language the request speaks. Member pages translate a label when they show it
(``{% translate application.get_status_display %}``, ``gettext(label)``): each label below is in
the catalog, and ``tests/test_i18n.py`` checks this list covers every label of these choices.
"""

from django.utils.translation import gettext_noop

MEMBER_CHOICE_LABELS = (
    # enrollment.models.ApplicationStatus
    gettext_noop("Draft"),
    gettext_noop("Submitted"),
    gettext_noop("In review"),
    gettext_noop("Information requested"),
    gettext_noop("Approved"),
    gettext_noop("Denied"),
    gettext_noop("Withdrawn"),
    # enrollment.models.DenialReason
    gettext_noop("You do not meet the rules to join a Medi-Medi Plan."),
    gettext_noop("You need both Medicare (Parts A and B) and full-scope Medi-Cal."),
    gettext_noop("You do not live where this plan offers coverage."),
    gettext_noop("We could not verify your identity."),
    gettext_noop("We did not receive the information we asked you for."),
    gettext_noop("You already have another application or enrollment for this plan."),
    gettext_noop("Another reason, explained in the note."),
    # enrollment.models.EnrollmentKind
    gettext_noop("Medi-Medi Plan"),
    gettext_noop("Medi-Cal plan"),
    # enrollment.models.EndReason
    gettext_noop("Switched to another plan"),
    gettext_noop("Disenrolled"),
    gettext_noop("Replaced by a newer enrollment before it started"),
    gettext_noop("Medi-Cal ended"),
    gettext_noop("Medi-Cal did not return within the deeming period"),
    gettext_noop("Medicare Part A or B ended"),
    gettext_noop("Moved out of the plan's service area"),
    gettext_noop("Incarcerated (outside every service area)"),
    gettext_noop("Died"),
    gettext_noop("Now in another Medi-Cal plan (state file)"),
    gettext_noop("Moved to another plan by a plan-wide transfer"),
    gettext_noop("Medicare (CMS) did not accept the enrollment"),
    # notices.models.NoticeFormat
    gettext_noop("Standard print"),
    gettext_noop("Large print (18 pt)"),
    gettext_noop("Braille"),
    gettext_noop("Audio"),
    gettext_noop("Accessible electronic"),
)

# Messages the services write that member pages show (translated with ``gettext`` there).
# enrollment.services.LEAVE_REVIEW_MESSAGE
LEAVE_REVIEW_MESSAGE = gettext_noop(
    "Your request to leave your Medi-Cal plan is being reviewed. A Medi-Medi Plan works only "
    "with its aligned Medi-Cal plan, so the plan will contact you about leaving the Medi-Medi "
    "Plan too. Until the review is decided your coverage continues."
)
