"""Median CPU ms of ``render_letter`` and the PDF's size (issue 11: embedded tagline fonts).

Run from the project's root, or from an export of an earlier commit to compare (the current
directory's code is imported first): ``.venv/bin/python bench/letter_fonts_bench.py``.
No database is needed.
"""

import datetime
import os
import statistics
import sys
import time
from typing import Any


def main() -> None:
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medimedi.settings")
    import django

    django.setup()
    from notices.rendering import render_letter
    from tests.notices.conftest import RECIPIENT, context_for

    def one(kind: str) -> Any:
        return render_letter(
            kind=kind,
            language="en",
            recipient=dict(RECIPIENT),
            context=context_for(kind),
            letter_date=datetime.date(2026, 11, 6),
        )

    start = time.process_time()
    one("enrollment_confirmation")
    print("first letter (fonts loaded) ms", round((time.process_time() - start) * 1000))
    for kind in ("enrollment_confirmation", "county_transition_60"):
        samples = []
        for _ in range(12):
            start = time.process_time()
            for _ in range(10):
                rendered = one(kind)
            samples.append((time.process_time() - start) * 100)
        print(
            kind,
            "median ms",
            round(statistics.median(samples), 1),
            "pdf KB",
            round(len(rendered.pdf) / 1024, 1),
            "card KB",
            round(len(rendered.id_card_pdf or b"") / 1024, 1),
        )


if __name__ == "__main__":
    main()
