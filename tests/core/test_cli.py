"""The command line, run as a user runs it: the installed ``earshot`` program in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

EARSHOT = shutil.which("earshot", path=str(Path(sys.executable).parent)) or "earshot"


def earshot(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EARSHOT, *args], env=env, input=stdin, capture_output=True, text=True, check=False
    )


def test_add_prints_the_id_and_status_counts_it(env: dict[str, str]) -> None:
    added = earshot(
        env,
        "add",
        "The card reader keeps failing",
        "--kind=complaint",
        "--station=phone",
        "--staff=Ann",
        "--sentiment=negative",
        "--tag=card reader",
        "--tag=payments",
        "--follow-up",
        "--contact=ann.customer@example.org",
    )
    assert added.returncode == 0, added.stderr
    entry_id = uuid.UUID(added.stdout.strip())
    status = earshot(env, "status", "--json")
    assert json.loads(status.stdout) == {
        "queued": 1,
        "sending": 0,
        "sent": 0,
        "needs_attention": 0,
    }
    exported = earshot(env, "export", "--format", "jsonl")
    (row,) = [json.loads(line) for line in exported.stdout.splitlines()]
    assert row["id"] == str(entry_id)
    assert (row["kind"], row["station"], row["staff"]) == ("complaint", "phone", "Ann")
    assert row["tags"] == ["card reader", "payments"]
    assert row["follow_up"] is True


def test_status_in_words(env: dict[str, str]) -> None:
    earshot(env, "add", "one")
    lines = earshot(env, "status").stdout.splitlines()
    assert lines[0].split() == ["1", "waiting", "to", "be", "sent"]


def test_text_from_standard_input_keeps_odd_characters(env: dict[str, str]) -> None:
    words = "שלום 👋\nsecond line"
    assert earshot(env, "add", "-", stdin=words).returncode == 0
    (row,) = [json.loads(x) for x in earshot(env, "export", "--format=jsonl").stdout.splitlines()]
    assert row["text"] == words


def test_export_to_a_file_as_csv(env: dict[str, str], tmp_path: Path) -> None:
    earshot(env, "add", '=HYPERLINK("http://evil.example")', "--kind=other")
    earshot(env, "add", "plain, with a comma")
    target = tmp_path / "out.csv"
    result = earshot(env, "export", "--format=csv", "-o", str(target))
    assert result.returncode == 0
    assert "Wrote 2 entries" in result.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert sorted(row["text"] for row in rows) == [
        '\'=HYPERLINK("http://evil.example")',
        "plain, with a comma",
    ]
    assert not list(tmp_path.glob(".out.csv.*"))  # no temporary file left behind


def test_export_to_a_folder_that_does_not_exist(env: dict[str, str], tmp_path: Path) -> None:
    earshot(env, "add", "kept")
    result = earshot(env, "export", "--format=csv", "-o", str(tmp_path / "nowhere" / "x.csv"))
    assert result.returncode == 1
    assert "No such file or directory" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["add", ""], "the text is empty"),
        (["add", "x" * 10_001], "10,001 characters"),
        (["add", "hi", "--station=roof"], '"roof" is not a station here'),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(
    env: dict[str, str], args: list[str], says: str
) -> None:
    earshot(env, "add", "saved before")
    result = earshot(env, *args)
    assert result.returncode == 1
    assert says in result.stderr
    assert json.loads(earshot(env, "status", "--json").stdout)["queued"] == 1


@pytest.mark.parametrize(
    "args",
    [["add", "hi", "--kind=rant"], ["frobnicate"], ["export"], ["add"], ["status", "--jsn"]],
)
def test_mistyped_commands_exit_2_with_usage(env: dict[str, str], args: list[str]) -> None:
    result = earshot(env, *args)
    assert result.returncode == 2
    assert "usage: earshot" in result.stderr


def test_data_dir_flag_beats_the_environment(env: dict[str, str], tmp_path: Path) -> None:
    other = tmp_path / "other-profile"
    earshot(env, "--data-dir", str(other), "add", "in the other profile")
    assert (other / "journal.sqlite3").exists()
    assert json.loads(earshot(env, "status", "--json").stdout)["queued"] == 0


def test_a_damaged_settings_file_is_reported_and_kept(env: dict[str, str]) -> None:
    home = Path(env["EARSHOT_HOME"])
    home.mkdir(parents=True)
    (home / "settings.json").write_text('{"site": "Leeds", ', encoding="utf-8")
    result = earshot(env, "add", "still works")
    assert result.returncode == 0
    assert "settings.json is damaged" in result.stderr
    assert "The defaults were used." in result.stderr
    assert (home / "settings.damaged.json").read_text(encoding="utf-8") == '{"site": "Leeds", '
