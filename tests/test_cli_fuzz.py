"""Bad input: whatever arrives on the command line, in a JSONL file for `ingest` or in a
file for `import`, the answer is one line on stderr and a non-zero exit, and the
ledger's content is exactly what it was. Hypothesis generates most of the inputs;
every test counts what it tried (printed with -s)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.cli import main
from memory.timeutil import now_utc

TRIED: dict[str, int] = {}
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def no_model(monkeypatch):
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")


@pytest.fixture
def home(familiar_home, capsys):
    """A home with a little data in it, so that 'unchanged' means something."""
    assert main(["observe", "--source", "chat", "--id", "seed", "I'm vegetarian."]) == 0
    assert main(["observe", "--source", "note", "Dentist on Friday at 3pm."]) == 0
    capsys.readouterr()
    return familiar_home


def digest(home: Path) -> str:
    db = sqlite3.connect(home / "data" / "ledger.sqlite3")
    try:
        return hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest()
    finally:
        db.close()


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: usage errors and --help
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def assert_rejected(capsys, home: Path, argv: list[str], kind: str) -> None:
    before = digest(home)
    code, _, err = run(capsys, argv)
    TRIED[kind] = TRIED.get(kind, 0) + 1
    assert code != 0, (argv[:3], err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("familiar"), (argv[:3], err)
    assert "Traceback" not in err and "unexpected error" not in err, err
    assert digest(home) == before, argv[:3]


# -- ingest: JSONL files ---------------------------------------------------------------
GOOD_LINE = json.dumps({"source": "chat", "text": "I love sailing on weekends."})
FUTURE = (now_utc() + timedelta(days=400)).isoformat()
bad_lines = st.one_of(
    st.binary(min_size=1, max_size=200).filter(lambda b: b.strip() and b"\n" not in b),
    st.text(min_size=1, max_size=80).filter(lambda t: t.strip() and "\n" not in t)
      .map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([
        b'{"source": "chat", "text": "unterminated',
        b'{"source": "chat"}', b'{"text": "no source"}', b'[1, 2]', b'"just a string"', b"null",
        b'{"source": "radio", "text": "unknown source"}',
        b'{"source": "chat", "text": ""}', b'{"source": "chat", "text": "   "}',
        b'{"source": "chat", "text": 42}', b'{"source": "chat", "text": "x", "colour": "red"}',
        b'{"source": "chat", "text": "x", "at": "yesterday"}',
        b'{"source": "chat", "text": "x", "at": "2026-13-45T99:00:00"}',
        ('{"source": "chat", "text": "from the future", "at": "%s"}' % FUTURE).encode(),
        b'{"source": "chat", "text": "nul \\u0000 byte"}',
        b'{"source": "chat", "text": "lone \\ud800 surrogate"}',
        b'{"source": "chat", "text": "x", "role": "robot"}',
        b'{"source": "chat", "text": "x", "id": [1]}',
        b'{"source": "chat", "text": "\xff\xfe invalid utf-8"}',
        b"\x00\x01\x02\x03binary\x00",
        json.dumps({"source": "chat", "text": "y" * 1_000_001}).encode(),  # a huge line
    ]),
)


@FUZZ
@given(before=st.lists(st.just(GOOD_LINE), max_size=3), bad=bad_lines,
       after=st.lists(st.just(GOOD_LINE), max_size=3))
def test_bad_jsonl_is_rejected_whole(home, capsys, tmp_path_factory, before, bad, after):
    """One bad line anywhere: nothing of the file is stored, not even the good lines."""
    path = tmp_path_factory.mktemp("jsonl") / "in.jsonl"
    raw = b"\n".join([*(x.encode() for x in before), bad, *(x.encode() for x in after)])
    path.write_bytes(raw)
    code_ok = _valid_jsonl(raw)
    if code_ok:  # hypothesis can produce a valid line (e.g. whitespace-only text is not)
        return
    assert_rejected(capsys, home, ["ingest", str(path)], "ingest files")


def _valid_jsonl(raw: bytes) -> bool:
    from assistant.cli import _ingest_items
    from assistant.errors import UsageError
    from assistant.services import check_observation

    try:
        for item in _ingest_items(raw):
            check_observation(item)
    except UsageError:
        return False
    return True


def test_empty_and_whitespace_files(home, capsys, tmp_path):
    for raw in (b"", b"\n\n", b"   \n\t\n"):
        path = tmp_path / "empty.jsonl"
        path.write_bytes(raw)
        assert_rejected(capsys, home, ["ingest", str(path)], "ingest files")
    assert_rejected(capsys, home, ["ingest", str(tmp_path / "missing.jsonl")], "ingest files")
    assert_rejected(capsys, home, ["ingest", str(tmp_path)], "ingest files")  # a directory


# -- import: export files ------------------------------------------------------------------
@FUZZ
@given(raw=st.one_of(
    st.binary(max_size=400),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                 lambda kids: st.lists(kids, max_size=4)
                 | st.dictionaries(st.text(max_size=10), kids, max_size=4), max_leaves=15)
      .map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"format": st.just("familiar-export"), "version": st.just(1)},
                          optional={"observations_included": st.booleans(),
                                    "schema": st.lists(st.text(max_size=8), max_size=3),
                                    "propositions": st.lists(st.dictionaries(
                                        st.sampled_from(["id", "text", "confidence", "decay",
                                                         "status", "created_at"]),
                                        st.none() | st.integers(-5, 20) | st.text(max_size=10)),
                                        max_size=3)})
      .map(lambda v: json.dumps(v).encode()),
))
def test_bad_import_files_are_rejected(home, capsys, tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("imp") / "in.json"
    path.write_bytes(raw)
    assert_rejected(capsys, home, ["import", str(path)], "import files")


# -- arguments ------------------------------------------------------------------------------
@FUZZ
@given(at=st.one_of(st.text(max_size=30), st.sampled_from(
    ["tomorrow", "2026-02-30T10:00:00", "9999-12-31T23:59:59", FUTURE, "", "   ", "T", "+00:00"])))
def test_bad_times_are_rejected(home, capsys, at):
    from datetime import datetime

    try:  # a time that parses and is not in the future is valid: skip it
        if datetime.fromisoformat(at.strip()).astimezone() <= now_utc() + timedelta(days=1):
            return
    except (ValueError, OverflowError):
        pass
    assert_rejected(capsys, home, ["observe", "--source", "chat", "--at", at, "I like tea."],
                    "arguments")


@FUZZ
@given(text=st.one_of(st.just(""), st.text(alphabet=" \t\n\r", max_size=10),
                      st.text(max_size=20).map(lambda t: t + "\x00"),
                      st.text(max_size=20).map(lambda t: t + "\ud800")))
def test_bad_observation_text_is_rejected(home, capsys, text):
    assert_rejected(capsys, home, ["observe", "--source", "chat", text], "arguments")


WORDS = ["observe", "ingest", "recall", "propositions", "list", "show", "edit", "confirm",
         "reject", "delete", "allow", "forget", "export", "import", "retention", "status",
         "--source", "chat", "radio", "--id", "--at", "-k", "0", "101", "-1", "abc", "--json",
         "--observation", "--since", "--until", "--days", "--apply", "--all", "--bogus", "-",
         "999999", "x" * 300, "\x00", "é", "--confidence", "11", "--decay"]


@FUZZ
@given(argv=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=6))
@example(argv=[])  # the desktop app (stood in for below)
@example(argv=["ingest", "\r"])  # a control character inside the error message
@example(argv=["import", "a\u2028b"])  # a Unicode line separator, the same
def test_random_command_lines(home, capsys, monkeypatch, tmp_path_factory, argv):
    """Any command line: a clean exit, or one line of error with nothing changed."""
    if "forget" in argv and "--all" in argv:
        return  # asks for confirmation; covered in test_cli
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))  # export FILE lands here
    monkeypatch.setattr("sys.stdin", _NoStdin())
    # No command opens the desktop app, which would run until closed: it has its own
    # tests (tests/test_ui.py); here it stands in as a clean exit.
    monkeypatch.setattr("assistant.cli._run_app", lambda fam: 0)
    before = digest(home)
    code, _, err = run(capsys, argv)
    TRIED["command lines"] = TRIED.get("command lines", 0) + 1
    assert "Traceback" not in err and "unexpected error" not in err, (argv, err)
    if code != 0:
        assert len(err.strip().splitlines()) == 1, (argv, err)
        assert digest(home) == before, argv


class _NoStdin:
    def isatty(self):
        return False

    def read(self, *a):
        return ""

    @property
    def buffer(self):
        import io

        return io.BytesIO(b"\xff\xfe not utf-8")


def test_zz_report_counts():
    """Prints how many inputs the tests above tried (run with -s)."""
    print(f"\ninputs tried: {TRIED} (total {sum(TRIED.values())})")
    assert sum(TRIED.values()) > 0
