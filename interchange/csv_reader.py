"""The state's eligibility CSV (``../shared/files/eligibility-csv.md``), read as a stream.

UTF-8 with or without a BOM, RFC 4180 quoting, a header row naming the layout's columns in any
order. A missing required column, a repeated column or text that is not UTF-8 makes the file
unreadable; unknown extra columns are ignored and reported once, as a warning.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from interchange.errors import UnreadableFile
from interchange.records import COLUMNS, REQUIRED_COLUMNS, RawRecord, RecordError

_KNOWN = frozenset(COLUMNS)
# The csv module's default limit (128 KiB) would let one broken quote swallow the whole file.
_FIELD_LIMIT = 4096


@dataclass
class CsvFile:
    header: list[str]
    warnings: list[str] = field(default_factory=list)
    _rows: Iterator[list[str]] | None = None
    _reader: Any = None

    def records(self) -> Iterator[RawRecord]:
        """Each data row as a ``RawRecord`` whose position is the row's first line."""
        assert self._rows is not None and self._reader is not None
        reader = self._reader
        header = self.header
        width = len(header)
        wanted = [(i, name) for i, name in enumerate(header) if name in _KNOWN]
        last_line = 1
        try:
            for row in self._rows:
                line = last_line + 1
                last_line = reader.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # a blank line is no record
                if len(row) != width:
                    yield RawRecord(
                        position=line,
                        values={},
                        problems=[
                            RecordError(
                                "",
                                "FIELD_COUNT",
                                f"the row has {len(row)} fields, the header {width}",
                            )
                        ],
                    )
                    continue
                yield RawRecord(position=line, values={name: row[i] for i, name in wanted})
        except UnicodeDecodeError as error:
            raise UnreadableFile(
                f"The file is not UTF-8 text after line {last_line}: {error.reason}."
            ) from None
        except csv.Error as error:
            raise UnreadableFile(f"The CSV is malformed after line {last_line}: {error}.") from None


def read_csv(stream: BinaryIO) -> CsvFile:
    """Open the CSV and check its header; raise ``UnreadableFile`` when it cannot be read."""
    csv.field_size_limit(_FIELD_LIMIT)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", errors="strict")
    reader = csv.reader(text, strict=True)
    try:
        header_row = next(reader)
    except StopIteration:
        raise UnreadableFile("The file is empty.") from None
    except UnicodeDecodeError:
        raise UnreadableFile("The file is not UTF-8 text (neither CSV nor X12).") from None
    except csv.Error as error:
        raise UnreadableFile(f"The first line is not a CSV header: {error}.") from None
    header = [name.strip().lower() for name in header_row]
    missing = sorted(REQUIRED_COLUMNS - set(header))
    if missing:
        if len(missing) == len(REQUIRED_COLUMNS):
            raise UnreadableFile(
                "The file is neither an eligibility CSV (its first line names none of the "
                "layout's columns) nor an X12 834 (it does not start with ISA)."
            )
        raise UnreadableFile("Required column(s) missing from the header: " + ", ".join(missing))
    repeated = sorted({name for name in header if header.count(name) > 1 and name})
    if repeated:
        raise UnreadableFile("Column(s) named twice in the header: " + ", ".join(repeated))
    warnings = []
    unknown = [name for name in header if name not in _KNOWN]
    if unknown:
        warnings.append("Unknown column(s) ignored: " + ", ".join(unknown))
    return CsvFile(header=header, warnings=warnings, _rows=iter(reader), _reader=reader)


def sniff_format(stream: BinaryIO) -> str:
    """``x12`` when the file starts with an ISA segment (after a BOM or blanks), else ``csv``."""
    start = stream.read(64)
    stream.seek(0)
    if start.startswith(codecs.BOM_UTF8):
        start = start[len(codecs.BOM_UTF8) :]
    return "x12" if start.lstrip().startswith(b"ISA") else "csv"
