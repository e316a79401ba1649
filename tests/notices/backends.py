"""Real email backends for tests: local memory delivery that fails on purpose first."""

import smtplib
from collections.abc import Sequence
from typing import ClassVar

from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend


class FlakyEmailBackend(EmailBackend):
    """Drop the connection for the first ``failures`` sends, then deliver to ``mail.outbox``."""

    failures: ClassVar[int] = 0
    calls: ClassVar[int] = 0

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        type(self).calls += 1
        if type(self).failures > 0:
            type(self).failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class RefusingEmailBackend(EmailBackend):
    """Refuse every recipient permanently, as a mail server answering 550 does."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        recipients = {address: (550, b"5.1.1 No such user") for m in messages for address in m.to}
        raise smtplib.SMTPRecipientsRefused(recipients)
