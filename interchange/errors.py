"""Errors of the file readers."""


class UnreadableFile(Exception):
    """The file cannot be read at all (not CSV or X12, a required column missing, a broken
    envelope). The import writes nothing; the message says why, never a person's data."""


class OutOfOrderFile(UnreadableFile):
    """A file for a month older than one already imported: its facts would put older ones back."""
