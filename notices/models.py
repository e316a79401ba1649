"""Notices: the outbox of letters to members (see the notices issue)."""
