from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = "Applications and enrollments"

    def ready(self) -> None:
        from eligibility.notifications import letter_copier_register
        from enrollment.representatives import (
            beneficiaries_with_representatives,
            letter_copies_queue,
        )

        # Authorized representatives get a copy of every letter queued to the member.
        letter_copier_register(letter_copies_queue, applies_to=beneficiaries_with_representatives)

        from eligibility.selectors import rollout_check_register
        from enrollment.selectors import rollout_date_warning

        # An admin moving a county's rollout date past enrollment starts is warned.
        rollout_check_register(rollout_date_warning)

        from django.db.models.signals import post_save

        from eligibility.models import Beneficiary
        from enrollment.signals import beneficiary_saved

        # An application's copy of its person's county follows a move (the queue filters it).
        post_save.connect(beneficiary_saved, sender=Beneficiary, dispatch_uid="application_county")
