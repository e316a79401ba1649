"""The portal under a production-like load: members, people checking eligibility, and staff.

Run it through ``bench/load_test.py``, which prepares the accounts, starts gunicorn on
PostgreSQL, runs Locust headless against 127.0.0.1 and stops everything. The accounts come from
the JSON file named by ``LOAD_ACCOUNTS`` (written by ``load_test.py``):

    {"members": [{"username": ..., "password": ...}, ...],
     "staff": [{"token": ..., "counties": [...], "names": [...]}, ...],
     "bodies": [<eligibility check bodies>]}

Three kinds of visitor, weighted as a plan's traffic is (many members and people checking, few
staff):

- ``Screener`` (anonymous): opens the screener and checks eligibility through the public API.
- ``Member``: signs in with the login form, then reads My Medi-Medi, their letters, and checks
  eligibility again now and then.
- ``Staff`` (API token; the pages need a second factor, the API token stands for it): works the
  queue — the first page, a county filter, a name search, the next page by cursor — opens an
  application, and approves or asks for information on submitted ones.

Each request is named by what it is (``queue: county``), not by its URL, so the report groups
them. A 409 on a decision another staff member already took counts as success: two people working
one queue do collide.
"""

from __future__ import annotations

import json
import os
import random
import re
from typing import Any

from locust import HttpUser, between, task

ACCOUNTS: dict[str, Any] = json.loads(
    open(os.environ["LOAD_ACCOUNTS"], encoding="utf-8").read()  # noqa: SIM115
)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Screener(HttpUser):
    """Someone checking whether they qualify, without an account."""

    weight = 4
    wait_time = between(1, 4)

    @task(1)
    def screener_page(self) -> None:
        self.client.get("/eligibility/", name="screener page")

    @task(4)
    def check(self) -> None:
        body = random.choice(ACCOUNTS["bodies"])
        self.client.post("/api/v1/eligibility/check", json=body, name="eligibility check (API)")


class Member(HttpUser):
    """A signed-in member reading their own pages."""

    weight = 4
    wait_time = between(2, 6)

    def on_start(self) -> None:
        account = random.choice(ACCOUNTS["members"])
        form = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(form.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": account["username"],
                "password": account["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in answered {answer.status_code}")

    @task(4)
    def home(self) -> None:
        self.client.get("/me/", name="member: My Medi-Medi")

    @task(2)
    def letters(self) -> None:
        self.client.get("/me/letters/", name="member: letters")

    @task(1)
    def check(self) -> None:
        body = random.choice(ACCOUNTS["bodies"])
        self.client.post("/api/v1/eligibility/check", json=body, name="eligibility check (API)")


class Staff(HttpUser):
    """Plan enrollment staff working their organization's queue through the API."""

    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.account = random.choice(ACCOUNTS["staff"])
        self.client.headers["Authorization"] = f"Token {self.account['token']}"

    def _queue(self, params: dict[str, str], name: str) -> dict[str, Any]:
        with self.client.get(
            "/api/v1/applications", params=params, name=name, catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}")
                return {}
            return dict(answer.json())

    @task(4)
    def first_page(self) -> None:
        self._queue({"status": "submitted"}, "queue: submitted, first page")

    @task(2)
    def county(self) -> None:
        county = random.choice(self.account["counties"])
        self._queue({"county": county}, "queue: county")

    @task(2)
    def name_search(self) -> None:
        name = random.choice(self.account["names"])
        self._queue({"q": name}, "queue: name search")

    @task(2)
    def next_pages(self) -> None:
        page = self._queue({"status": "submitted"}, "queue: submitted, first page")
        for _ in range(3):
            following = page.get("next")
            if not following:
                return
            with self.client.get(following, name="queue: next page", catch_response=True) as answer:
                if answer.status_code != 200:
                    answer.failure(f"{answer.status_code}")
                    return
                page = answer.json()

    @task(3)
    def open_and_decide(self) -> None:
        page = self._queue({"status": "submitted"}, "queue: submitted, first page")
        rows = page.get("results") or []
        if not rows:
            return
        row = random.choice(rows)
        self.client.get(f"/api/v1/applications/{row['id']}", name="application: open")
        if random.random() < 0.7:
            path, body, name = (
                f"/api/v1/applications/{row['id']}/approve",
                {},
                "application: approve",
            )
        else:
            path = f"/api/v1/applications/{row['id']}/request-info"
            body, name = {"note": "Please send a copy of your Medi-Cal card."}, "application: ask"
        with self.client.post(path, json=body, name=name, catch_response=True) as answer:
            # Another staff user may have decided it first, or the person may no longer qualify:
            # the portal answers 409 or 422 with a reason, which is the right answer.
            if answer.status_code in (200, 409, 422):
                answer.success()
            else:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
