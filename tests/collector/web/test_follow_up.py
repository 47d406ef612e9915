"""Call-backs over HTTP: the queue (oldest first, done ones gone), marking with a note and
who did it, and forms that did not come from our pages refused with a 403 page.

What changes the store runs on SQLite and PostgreSQL (``own``); what must be refused runs on
one shared collector, and checks that nothing changed.
"""

from __future__ import annotations

import pytest
import requests

from earshot_sync.collector.follow_ups import MAX_NOTE
from tests.browser import site
from tests.collector.web.conftest import Site
from tests.collector.web.html import entry_ids, text


def waiting(seeded: Site) -> list[str]:
    """The entries asking for a call-back, oldest first."""
    asked = [entry for entry in seeded.entries if entry["follow_up"]]
    return [str(entry["id"]) for entry in sorted(asked, key=lambda entry: entry["created_at"])]


def test_queue_is_oldest_first_and_loses_done_ones(own: Site) -> None:
    viewer = own.viewer()
    queue = viewer.get(own.url + "/follow-up", timeout=30)
    assert queue.status_code == 200
    assert entry_ids(queue.text) == waiting(own)
    first = waiting(own)[0]
    answer = own.post(
        viewer,
        f"/entries/{first}/follow-up",
        {
            "state": "resolved",
            "note": "Refund sent.",
            "csrf": site.hidden_value(queue.text),
            "back": "/follow-up",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/follow-up"
    after = viewer.get(own.url + "/follow-up", timeout=30)
    assert entry_ids(after.text) == waiting(own)[1:]
    # The queue says once what was saved (the entry itself has left it).
    message = after.text.split('id="saved">', 1)[1].split("</p>", 1)[0]
    assert text(message).startswith("Marked done: “ Waited twenty minutes")
    again = viewer.get(own.url + "/follow-up", timeout=30)
    assert 'id="saved"' not in again.text
    # "needs follow-up" in the feed agrees with the queue.
    feed = viewer.get(own.url + "/", params={"follow_up": "1"}, timeout=30)
    assert sorted(entry_ids(feed.text)) == sorted(waiting(own)[1:])


def test_marking_keeps_the_history_with_names(own: Site) -> None:
    viewer = own.viewer()
    entry_id = waiting(own)[1]
    page = viewer.get(own.url + f"/entries/{entry_id}", timeout=30)
    assert "Waiting for a call-back" in text(page.text)
    csrf = site.hidden_value(page.text)
    first = own.post(
        viewer,
        f"/entries/{entry_id}/follow-up",
        {"state": "contacted", "note": "Left a <b>voicemail</b>", "csrf": csrf},
    )
    assert first.status_code == 303
    assert first.headers["Location"] == f"/entries/{entry_id}?saved=1"
    second = own.post(
        viewer, f"/entries/{entry_id}/follow-up", {"state": "resolved", "note": "", "csrf": csrf}
    )
    assert second.status_code == 303
    shown = viewer.get(own.url + f"/entries/{entry_id}?saved=1", timeout=30)
    words = text(shown.text)
    assert "Saved." in words
    assert f"Contacted by {site.VIEWER}" in words
    assert "Left a <b>voicemail</b>" in words
    assert "<b>voicemail" not in shown.text
    assert f"Done by {site.VIEWER}" in words
    assert words.index("Contacted by") < words.index("Done by")
    # Contacted stays in the queue until done; done leaves it.
    assert entry_id not in entry_ids(viewer.get(own.url + "/follow-up", timeout=30).text)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"state": "lost"}, "Choose “Contacted” or “Done”"),
        ({"state": "contacted", "note": "n" * (MAX_NOTE + 1)}, "The note is too long"),
    ],
)
def test_bad_marks_get_a_message(shared: Site, form: dict[str, str], message: str) -> None:
    viewer = shared.viewer()
    entry_id = waiting(shared)[0]
    page = viewer.get(shared.url + f"/entries/{entry_id}", timeout=30)
    answer = shared.post(
        viewer, f"/entries/{entry_id}/follow-up", {**form, "csrf": site.hidden_value(page.text)}
    )
    assert answer.status_code == 400
    assert message in text(answer.text)
    assert entry_ids(viewer.get(shared.url + "/follow-up", timeout=30).text) == waiting(shared)


def test_cannot_mark_an_entry_that_asked_for_nothing(shared: Site) -> None:
    viewer = shared.viewer()
    entry_id = shared.by_text("Loved the new")["id"]
    page = viewer.get(shared.url + f"/entries/{entry_id}", timeout=30)
    assert "did not ask to be called back" in text(page.text)
    answer = shared.post(
        viewer,
        f"/entries/{entry_id}/follow-up",
        {"state": "resolved", "csrf": site.hidden_value(page.text)},
    )
    assert answer.status_code == 400


@pytest.mark.parametrize(
    ("headers", "csrf", "message"),
    [
        ({"Origin": "http://evil.example"}, True, "another site"),
        ({"Origin": "null"}, True, "another site"),
        ({"Origin": "", "Referer": ""}, True, "did not say where it came from"),
        ({}, False, "out of date"),
    ],
)
def test_forms_from_elsewhere_are_refused(
    shared: Site, headers: dict[str, str], csrf: bool, message: str
) -> None:
    viewer = shared.viewer()
    entry_id = waiting(shared)[0]
    page = viewer.get(shared.url + f"/entries/{entry_id}", timeout=30)
    token = site.hidden_value(page.text) if csrf else "forged"
    sent = {"Origin": shared.url, **headers}
    for name in [name for name, value in sent.items() if not value]:
        del sent[name]
    answer = viewer.post(
        shared.url + f"/entries/{entry_id}/follow-up",
        data={"state": "resolved", "csrf": token},
        headers=sent,
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 403
    assert message in text(answer.text)
    assert entry_ids(viewer.get(shared.url + "/follow-up", timeout=30).text) == waiting(shared)


def test_referer_of_this_site_is_enough_without_origin(own: Site) -> None:
    viewer = own.viewer()
    entry_id = waiting(own)[0]
    page = viewer.get(own.url + f"/entries/{entry_id}", timeout=30)
    answer = viewer.post(
        own.url + f"/entries/{entry_id}/follow-up",
        data={"state": "contacted", "csrf": site.hidden_value(page.text)},
        headers={"Referer": own.url + f"/entries/{entry_id}"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 303


def test_another_sessions_form_token_is_refused(shared: Site) -> None:
    mine, theirs = shared.viewer(), shared.viewer()
    entry_id = waiting(shared)[0]
    their_page = theirs.get(shared.url + f"/entries/{entry_id}", timeout=30)
    answer = shared.post(
        mine,
        f"/entries/{entry_id}/follow-up",
        {"state": "resolved", "csrf": site.hidden_value(their_page.text)},
    )
    assert answer.status_code == 403


def test_signed_out_post_goes_to_sign_in(shared: Site) -> None:
    entry_id = waiting(shared)[0]
    answer = requests.post(
        shared.url + f"/entries/{entry_id}/follow-up",
        data={"state": "resolved", "csrf": "x"},
        headers={"Origin": shared.url, **shared.collector.headers},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/sign-in")


def test_a_mark_sent_after_the_session_ended_says_it_was_not_saved(own: Site) -> None:
    viewer = own.viewer()
    entry_id = waiting(own)[0]
    page = viewer.get(own.url + f"/entries/{entry_id}", timeout=30)
    csrf = site.hidden_value(page.text)
    cookie = viewer.cookies["earshot_session"]
    # The session ends (here: signed out in another tab) while the note is being typed.
    own.post(viewer, "/sign-out", {"csrf": csrf})
    late = requests.Session()
    late.cookies.set("earshot_session", cookie)
    answer = own.post(
        late,
        f"/entries/{entry_id}/follow-up",
        {"state": "resolved", "note": "Called back, all fine.", "csrf": csrf},
        Referer=own.url + f"/entries/{entry_id}",
    )
    assert answer.status_code == 303
    where = answer.headers["Location"]
    # Back to the entry's page after signing in, not to the form's address (GET: 405).
    form = late.get(own.url + where, timeout=30)
    assert "NOT saved" in text(form.text)
    token = site.hidden_value(form.text, site.SIGN_IN_TOKEN_FIELD)
    next_url = site.hidden_value(form.text, "next")
    assert next_url == f"/entries/{entry_id}"
    signed = late.post(
        own.url + site.SIGN_IN_PATH,
        data={
            "name": site.VIEWER,
            "password": site.PASSWORD,
            site.SIGN_IN_TOKEN_FIELD: token,
            "next": next_url,
        },
        headers={"Origin": own.url},
        timeout=30,
    )
    assert signed.status_code == 200
    assert signed.url == own.url + f"/entries/{entry_id}"
    assert "Waiting for a call-back" in text(signed.text)  # nothing was saved


def test_a_form_sent_from_elsewhere_after_the_session_ended_goes_to_the_feed(
    shared: Site,
) -> None:
    session = requests.Session()
    session.cookies.set("earshot_session", "x" * 43)
    answer = shared.post(
        session,
        "/entries/1/follow-up",
        {"state": "resolved", "note": "n", "csrf": "c"},
        Referer="http://evil.example/entries/1",
    )
    assert answer.status_code == 303
    assert "next=" not in answer.headers["Location"]
    assert "unsaved=1" in answer.headers["Location"]
