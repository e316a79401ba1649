"""pyx12's validator (what ``x12valid`` runs) on a file, for the tests of files the portal writes."""

import io
import json
from pathlib import Path
from typing import Any

import pyx12.params
import pyx12.x12n_document


def _errors(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "errors" and isinstance(value, list):
                found += [json.dumps(error, sort_keys=True) for error in value]
            else:
                found += _errors(value)
    elif isinstance(node, list):
        for item in node:
            found += _errors(item)
    return found


def pyx12_validate(path: Path) -> tuple[bool, list[str]]:
    """Run pyx12's 834 map over the file: (valid, every error it reported)."""
    report = io.StringIO()
    valid = pyx12.x12n_document.x12n_document(
        pyx12.params.params(), str(path), None, None, fd_json=report
    )
    text = report.getvalue()
    errors = _errors(json.loads(text)) if text.strip().startswith("{") else []
    return bool(valid), errors
