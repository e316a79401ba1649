"""Errors of the file readers."""


class UnreadableFile(Exception):
    """The file cannot be read at all (not CSV or X12, a required column missing, a broken
    envelope). The import writes nothing; the message says why, never a person's data."""
