"""An email backend for benchmarks: builds each message as SMTP would send it, then drops it.

The MIME message (text, HTML, the PDFs base64-encoded) is serialized to bytes, so the cost of
building an email is measured without writing gigabytes of files or holding them in memory.
"""

from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            message.message().as_bytes(linesep="\r\n")
        return len(email_messages)
