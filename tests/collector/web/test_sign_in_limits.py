"""Sign-in under guessing and flooding: waits per name and address, the same for every name,
counted before the check; only a few password checks at once. The real app over loopback,
in this process so its clock can move."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from argon2 import PasswordHasher

from tests.browser import site
from tests.collector.web.html import text
from tests.collector.web.inprocess import Clock, serve_store

START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
NO_MATCH = "do not match an account"
TOO_MANY = "too many wrong passwords for this name from this computer"


def sign_in(base: str, name: str, password: str, source: str = "10.0.0.1") -> requests.Response:
    """One sign-in through the form, as from ``source`` (behind a proxy uvicorn trusts)."""
    session = requests.Session()
    forwarded = {"X-Forwarded-For": source}
    form = session.get(base + site.SIGN_IN_PATH, headers=forwarded, timeout=30)
    return session.post(
        base + site.SIGN_IN_PATH,
        data={
            "name": name,
            "password": password,
            site.SIGN_IN_TOKEN_FIELD: site.hidden_value(form.text, site.SIGN_IN_TOKEN_FIELD),
        },
        headers={"Origin": base, **forwarded},
        allow_redirects=False,
        timeout=60,
    )


def test_too_many_wrong_passwords_answer_alike_for_every_name(tmp_path: Path) -> None:
    clock = Clock(START)
    with serve_store(tmp_path, clock) as base:
        answers: dict[str, list[tuple[int, str]]] = {}
        for name in (site.VIEWER, "Nobody-Has-This-Name"):
            answers[name] = []
            for _ in range(6):
                answer = sign_in(base, name, "wrong-password-123")
                answers[name].append((answer.status_code, text(answer.text).replace(name, "N")))
        # A real name and an unknown one get the same answers: nothing says who exists.
        assert answers[site.VIEWER] == answers["Nobody-Has-This-Name"]
        statuses = [status for status, _ in answers[site.VIEWER]]
        assert statuses == [401] * 5 + [429]
        assert NO_MATCH in answers[site.VIEWER][0][1]
        assert TOO_MANY in answers[site.VIEWER][5][1]

        # Even the right password waits, from that address; the answer says for how long.
        waiting = sign_in(base, site.VIEWER, site.PASSWORD)
        assert waiting.status_code == 429
        assert int(waiting.headers["Retry-After"]) > 0
        assert "earshot_session" not in waiting.cookies
        # The guesses from one computer do not lock the viewer out of another.
        elsewhere = sign_in(base, site.VIEWER, site.PASSWORD, source="10.0.0.2")
        assert elsewhere.status_code == 303

        # The wait ends by itself: one more try, and a wrong one waits longer.
        clock.now += timedelta(minutes=1)
        assert sign_in(base, site.VIEWER, "wrong-password-123").status_code == 401
        assert sign_in(base, site.VIEWER, site.PASSWORD).status_code == 429
        # A quiet quarter of an hour: the count starts again from nothing.
        clock.now += timedelta(minutes=16)
        for _ in range(5):
            assert sign_in(base, site.VIEWER, "wrong-password-123").status_code == 401
        clock.now += timedelta(minutes=16)
        assert sign_in(base, site.VIEWER, site.PASSWORD).status_code == 303


def test_parallel_guesses_cannot_pass_the_count(tmp_path: Path) -> None:
    clock = Clock(START)
    with serve_store(tmp_path, clock) as base, ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(
            pool.map(lambda _: sign_in(base, site.VIEWER, "guess-guess-guess"), range(12))
        )
    statuses = [answer.status_code for answer in answers]
    # Each guess is counted before its password is checked: at most 5 are ever checked; the
    # others wait (429) or find every check taken (503).
    assert statuses.count(401) <= 5, statuses
    assert set(statuses) <= {401, 429, 503}, statuses


def test_a_flood_of_sign_ins_gets_busy_not_the_memory(tmp_path: Path) -> None:
    # A hasher that takes a while per check (real Argon2, more passes): the flood overlaps.
    slow = PasswordHasher(time_cost=15)
    clock = Clock(START)
    with serve_store(tmp_path, clock, hasher=slow, checks=2) as base:
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(
                pool.map(
                    lambda number: sign_in(
                        base, f"name-{number}", "a-password-123", f"10.1.0.{number}"
                    ),
                    range(8),
                )
            )
        busy = [answer for answer in answers if answer.status_code == 503]
        assert busy, [answer.status_code for answer in answers]
        for answer in busy:
            assert "The collector is busy; try again in a moment." in text(answer.text)
            assert int(answer.headers["Retry-After"]) > 0
        assert {answer.status_code for answer in answers} <= {401, 503}
        # Once the flood is over, signing in works.
        assert sign_in(base, site.VIEWER, site.PASSWORD).status_code == 303


def test_the_live_poll_does_not_keep_an_idle_session_alive(tmp_path: Path) -> None:
    clock = Clock(START)
    with serve_store(tmp_path, clock) as base:
        session = site.signed_in(base)
        assert session.get(base + "/", allow_redirects=False, timeout=30).status_code == 200
        # The feed left open in a tab: its script asks for new entries, nobody reads.
        for _ in range(3):
            clock.now += timedelta(minutes=25)
            poll = session.get(base + "/feed/newer", allow_redirects=False, timeout=30)
            if poll.status_code != 200:
                break
        # 75 quiet minutes: the session ended (idle after an hour) despite the polls.
        answer = session.get(base + "/", allow_redirects=False, timeout=30)
        assert answer.status_code == 303
        assert answer.headers["Location"].startswith("/sign-in")
