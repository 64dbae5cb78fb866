"""Bad input: whatever arrives on the command line, in a JSONL file for `ingest` or in a
file for `import`, the answer is one line on stderr and a non-zero exit, and the data
dir is exactly what it was: the same files, the same rows in the ledger, the same
entries in the search index. Hypothesis generates most of the inputs; every test
counts what it tried (printed with -s, and recorded for `python -m benchmarks.reliability`)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.cli import main
from benchmarks.reliability import record
from memory.timeutil import now_utc

TRIED: dict[str, int] = {}
DAMAGED: Counter[str] = Counter()  # damaged exports tried, by the kind of damage
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def no_model(monkeypatch):
    monkeypatch.setenv("FAMILIAR_LLM__BACKEND", "none")


@pytest.fixture(autouse=True, scope="module")
def report_counts():
    """What the tests of this module tried, for `python -m benchmarks.reliability`."""
    yield
    record("input fuzzing", tried=dict(TRIED), damaged_exports=dict(DAMAGED))


@pytest.fixture
def home(familiar_home, capsys):
    """A home with a little data in it, in the ledger and in the index, so that
    'unchanged' means something."""
    assert main(["observe", "--source", "chat", "--id", "seed", "I'm vegetarian."]) == 0
    assert main(["observe", "--source", "note", "Dentist on Friday at 3pm."]) == 0
    assert main(["process"]) == 0
    capsys.readouterr()
    assert digest(home=familiar_home)["index"]["entries"] > 0
    return familiar_home


@pytest.fixture
def empty_home(familiar_home, capsys):
    """A home whose ledger exists and is empty (what `import` restores into); no index yet."""
    assert main(["status"]) == 0
    capsys.readouterr()
    return familiar_home


# Files whose bytes change when SQLite or Chroma merely open them: the ledger (compared by
# its SQL dump), SQLite's journal files (they come and go with connections), and Chroma's
# store under index/ (compared by the entries it holds).
SQLITE_STATE = ("-wal", "-shm", "-journal")


def digest(home: Path) -> dict:
    """What the data dir holds, as a value to compare: the paths under it, the ledger's
    rows, the index's entries (ids, metadata, vectors), and the bytes of every other file."""
    data = home / "data"
    paths = sorted(str(p.relative_to(data)) + ("/" if p.is_dir() else "")
                   for p in data.rglob("*") if not p.name.endswith(SQLITE_STATE))
    ledger = data / "ledger.sqlite3"
    other = {rel: hashlib.sha256((data / rel).read_bytes()).hexdigest()
             for rel in paths if not rel.endswith("/") and rel != "ledger.sqlite3"
             and not rel.startswith("index/")}
    return {"paths": paths, "ledger": _ledger_rows(ledger) if ledger.exists() else None,
            "index": _index_entries(data / "index"), "other files": other}


def _ledger_rows(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest()
    finally:
        db.close()


def _index_entries(path: Path) -> dict | None:
    """The index's content through Chroma itself (its files are rewritten on every
    open); None when there is no index (opening one would create it)."""
    if not path.exists():
        return None
    from memory.vector_index import ChromaIndex

    index = ChromaIndex(path)
    try:
        got = index.col.get(include=["metadatas", "embeddings", "documents"])
    finally:
        index.close()
        ChromaIndex.forget_clients()
    h = hashlib.sha256()
    for i in sorted(range(len(got["ids"])), key=lambda n: got["ids"][n]):
        h.update(json.dumps([got["ids"][i], got["metadatas"][i], got["documents"][i]],
                            sort_keys=True).encode())
        h.update(np.asarray(got["embeddings"][i], dtype=np.float32).tobytes())
    return {"entries": len(got["ids"]), "content": h.hexdigest()}


_LAST_SEEN: dict[Path, dict] = {}  # each home's digest after its last unchanged check


def unchanged_since(home: Path):
    """The digest to compare with after a command: what the home last held (computing a
    digest opens Chroma, so a home's is kept until a command changes it)."""
    return _LAST_SEEN.get(home) or digest(home)


def assert_unchanged(home: Path, before: dict, argv) -> None:
    after = digest(home)
    assert after == before, (argv[:3], {k: (before[k], after[k]) for k in before
                                        if before[k] != after[k]})
    _LAST_SEEN[home] = after


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: usage errors and --help
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def assert_rejected(capsys, home: Path, argv: list[str], kind: str) -> str:
    """Returns the one line of error."""
    before = unchanged_since(home)
    code, _, err = run(capsys, argv)
    TRIED[kind] = TRIED.get(kind, 0) + 1
    assert code != 0, (argv[:3], err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("familiar"), (argv[:3], err)
    assert "Traceback" not in err and "unexpected error" not in err, err
    assert_unchanged(home, before, argv)
    return lines[0]


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


# -- import: real exports, damaged -----------------------------------------------------------
# A real export (every kind of row) with one thing wrong, imported into an empty data dir,
# where a good file would be accepted: so each rejection is for that one thing, and the
# error names it.
@pytest.fixture(scope="module")
def real_export(tmp_path_factory) -> dict:
    from assistant.services import Familiar
    from assistant.settings import load_settings
    from memory.vector_index import ChromaIndex
    from tests.test_export import build_history

    home = tmp_path_factory.mktemp("source")
    fam = Familiar(load_settings(home, llm={"backend": "none"}))
    try:
        build_history(fam)
        fam.export_to(home / "export.json", with_observations=True)
    finally:
        fam.close()
        ChromaIndex.forget_clients()
    return json.loads((home / "export.json").read_text())


def test_the_undamaged_export_imports(empty_home, capsys, tmp_path, real_export):
    """The control: the same file, undamaged, is accepted by the same empty data dir."""
    path = tmp_path / "good.json"
    path.write_text(json.dumps(real_export))
    code, _, err = run(capsys, ["import", str(path)])
    assert code == 0, err
    assert digest(empty_home)["index"]["entries"] == len(
        [p for p in real_export["propositions"] if p["status"] == "current"])


def _rows(doc: dict, pick, having=lambda table, row: True) -> tuple[str, dict]:
    choices = [(t, r) for t, rows in doc.items() if isinstance(rows, list)
               for r in rows if isinstance(r, dict) and having(t, r)]
    return pick(st.sampled_from(choices))


def _at(text: str, pick, insert: str) -> str:
    i = pick(st.integers(0, len(text)))
    return text[:i] + insert + text[i:]


def damage(doc: dict, kind: str, pick) -> bytes:
    """``doc`` (a copy) with one thing of ``kind`` wrong, as the bytes of a file."""
    from assistant.export import TIME_COLUMNS
    from assistant.services import MAX_OBSERVATION_CHARS

    one_line = pick(st.booleans())
    if kind == "future time":
        table, row = _rows(doc, pick, lambda t, r: any(r.get(c) for c in TIME_COLUMNS))
        col = pick(st.sampled_from(sorted(c for c in TIME_COLUMNS if row.get(c))))
        days = pick(st.integers(2, 2_900_000))
        row[col] = (now_utc() + timedelta(days=days)).isoformat()
    elif kind == "huge text":  # and, on one line, a huge line
        table, row = _rows(doc, pick, lambda t, r: t == "observations")
        row["text"] = pick(st.sampled_from(["y", "é", "word "])) * (
            MAX_OBSERVATION_CHARS + pick(st.integers(1, 5000)))
    elif kind in ("NUL byte", "lone surrogate"):
        table, row = _rows(doc, pick, lambda t, r: any(isinstance(v, str) for v in r.values()))
        col = pick(st.sampled_from(sorted(c for c, v in row.items() if isinstance(v, str))))
        row[col] = _at(row[col], pick, "\x00" if kind == "NUL byte" else "\ud800")
    elif kind == "wrong type":
        table, row = _rows(doc, pick, lambda t, r: isinstance(r.get("id"), int))
        row["id"] = pick(st.sampled_from(["1", 1.5, True, [1], {"id": 1}]))
    elif kind == "unknown field":
        table, row = _rows(doc, pick)
        row["x_" + pick(st.text(max_size=8))] = pick(st.none() | st.integers() | st.text(max_size=8))
    elif kind == "missing field":
        table, row = _rows(doc, pick, lambda t, r: t in ("observations", "propositions"))
        del row["text"]
    elif kind == "duplicate id":
        table = pick(st.sampled_from([t for t, rows in doc.items() if isinstance(rows, list)
                                      and len(rows) >= 2 and "id" in rows[0]]))
        a, b = pick(st.lists(st.integers(0, len(doc[table]) - 1), min_size=2, max_size=2,
                             unique=True))
        doc[table][b]["id"] = doc[table][a]["id"]
    elif kind == "dangling reference":
        table, row = _rows(doc, pick, lambda t, r: t == "evidence")
        row[pick(st.sampled_from(["observation_id", "proposition_id"]))] = pick(
            st.integers(10**6, 2**62))
    raw = (json.dumps(doc) if one_line else json.dumps(doc, indent=1)).encode()
    if kind == "invalid UTF-8":
        i = pick(st.integers(0, len(raw)))
        raw = raw[:i] + pick(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80"])) + raw[i:]
    elif kind == "truncated":
        raw = raw[: pick(st.integers(0, len(raw) - 2))]
    elif kind == "huge junk line":
        raw += b"\n" + pick(st.sampled_from([b"A", b"\x00", b"{}"])) * pick(st.integers(2_000_000, 4_000_000))
    return raw


# the error each kind of damage must be rejected with
DAMAGE = {"future time": "is in the future", "huge text": "more than an observation can hold",
          "NUL byte": "NUL bytes", "lone surrogate": "not valid Unicode",
          "wrong type": "must be an integer", "unknown field": "unknown field",
          "missing field": "lacks 'text'", "duplicate id": "duplicate ids",
          "dangling reference": "refers to nothing", "invalid UTF-8": "not UTF-8",
          "truncated": "not valid JSON", "huge junk line": "not valid JSON"}


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_damaged_exports_are_rejected(empty_home, capsys, tmp_path_factory, real_export, data):
    import copy

    kind = data.draw(st.sampled_from(sorted(DAMAGE)), label="damage")
    raw = damage(copy.deepcopy(real_export), kind, data.draw)
    path = tmp_path_factory.mktemp("damaged") / "export.json"
    path.write_bytes(raw)
    line = assert_rejected(capsys, empty_home, ["import", str(path)], "damaged exports")
    DAMAGED[kind] += 1
    assert DAMAGE[kind] in line, (kind, line)


@pytest.mark.parametrize("case", ["a year ahead", "year 9999", "huge line", "huge junk line"])
def test_named_bad_imports(empty_home, capsys, tmp_path, real_export, case):
    """The issue's named cases, explicitly: future dates and huge lines."""
    import copy

    from assistant.services import MAX_OBSERVATION_CHARS

    doc = copy.deepcopy(real_export)
    if case == "a year ahead":
        doc["observations"][0]["at"] = (now_utc() + timedelta(days=366)).isoformat()
        expected = "'at' is in the future"
    elif case == "year 9999":
        doc["propositions"][-1]["created_at"] = "9999-12-31T23:59:59+00:00"
        expected = "'created_at' is in the future"
    elif case == "huge line":  # the whole file on one line of about a megabyte
        doc["observations"][-1]["text"] = "I like sailing. " * (MAX_OBSERVATION_CHARS // 16 + 1)
        expected = "more than an observation can hold"
    raw = json.dumps(doc).encode()
    if case == "huge junk line":
        raw += b"\n" + b"x" * 50_000_000
        expected = "not valid JSON"
    assert raw.count(b"\n") <= 1
    path = tmp_path / "export.json"
    path.write_bytes(raw)
    line = assert_rejected(capsys, empty_home, ["import", str(path)], "import files")
    assert expected in line, line


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
    before = unchanged_since(home)
    code, _, err = run(capsys, argv)
    TRIED["command lines"] = TRIED.get("command lines", 0) + 1
    assert "Traceback" not in err and "unexpected error" not in err, (argv, err)
    if code != 0:
        assert len(err.strip().splitlines()) == 1, (argv, err)
        assert_unchanged(home, before, argv)
    else:
        _LAST_SEEN.pop(home, None)  # a command that succeeded may change what is stored


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
    print(f"\ninputs tried: {TRIED} (total {sum(TRIED.values())}); damaged exports by kind: "
          f"{dict(DAMAGED)}")
    assert sum(TRIED.values()) > 0
