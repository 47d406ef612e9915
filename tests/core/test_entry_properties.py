"""Whatever is pasted, the entry either saves cleanly or says why: never a crash, never mojibake."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from earshot.core.entry import EntryInput, EntryInvalid, clean_text, new_entry
from earshot.core.journal import Journal

# Every code point Python can hold, lone surrogates and NULs included.
ANY_TEXT = st.text(alphabet=st.characters(codec=None, min_codepoint=0), max_size=300)


@given(ANY_TEXT)
def test_cleaned_text_is_valid_utf8_and_stable(raw: str) -> None:
    cleaned = clean_text(raw)
    cleaned.encode("utf-8")  # would raise on a lone surrogate
    assert "\x00" not in cleaned
    assert clean_text(cleaned) == cleaned


@given(text=ANY_TEXT, kind=st.text(max_size=12), tags=st.lists(ANY_TEXT, max_size=5))
def test_any_input_is_an_entry_or_a_list_of_reasons(text: str, kind: str, tags: list[str]) -> None:
    problems: tuple[str, ...] = ()
    try:
        entry = new_entry(EntryInput(text=text, kind=kind, tags=tags), device_id="d", site="s")
    except EntryInvalid as invalid:
        problems = invalid.problems
        assert problems
    else:
        assert entry.text == entry.text.strip()
        assert entry.text
    assert all(problem.endswith((".", "…")) for problem in problems)


# One journal for all examples is right here: each example adds entries with fresh ids.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)
@given(st.lists(ANY_TEXT.filter(lambda t: clean_text(t).strip()), min_size=1, max_size=5))
def test_what_is_saved_reads_back_as_saved(journal: Journal, texts: list[str]) -> None:
    saved = [journal.record(EntryInput(text=text), site="s") for text in texts]
    for entry in saved:
        assert journal.require(entry.id).entry == entry
