from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = "Applications and enrollments"

    def ready(self) -> None:
        from eligibility.notifications import letter_copier_register
        from enrollment.representatives import letter_copies_queue

        # Authorized representatives get a copy of every letter queued to the member.
        letter_copier_register(letter_copies_queue)
