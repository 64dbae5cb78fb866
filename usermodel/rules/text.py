"""Prose out of a message: code, logs and other pasted machine text are
dropped line by line, what is left is split into sentences, and the inside of
double quotes can be masked so quoted words are not read as the user's own.
"""

from __future__ import annotations

import re

from usermodel.rules.lexicon import word_set


_FENCE = re.compile(r"^\s*(?:```|~~~)")
_LOG_START = re.compile(
    r"^\s*(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}:\d{2}:\d{2}|\[\s*(?:\d|[A-Z]{3,}\s*\])|"
    r"(?:INFO|DEBUG|WARN|WARNING|ERROR|FATAL|TRACE|CRITICAL|SEVERE)\b|Traceback\b|File \"|at [\w$.<>]+\(|"
    r"[\w.]+(?:Error|Exception|Warning)\b|>>>|\$ |# |// |/\*|\* |-->|<[a-zA-Z/!]|"
    r"(?:def|class|function|fn|func|var|let|const|public|private|protected|static|void|import|package|using|"
    r"namespace|return|elif|except|finally|#include|#define|SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP)\b"
    r"[^.!?]*[(){}\[\]=:;<>]|(?:print|console\.\w+|System\.out\.\w+)\s*\()"
)
_CODE_CHARS = "{}[]()<>=;_/\\|$@*&^%~`+#"
_CODE_DELETE = str.maketrans("", "", _CODE_CHARS)
_PROSE_START = re.compile(r"^(?:I|I'm|I've|I'd|I'll|My|Me|i|im|my)\b[ ,'\u2019]")
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2023\u25e6\u25aa]|\d{1,2}[.)])\s+")
_INLINE_CODE = re.compile(r"`[^`\n]{0,400}`")
_URL = re.compile(r"\bhttps?://\S{1,500}|\bwww\.\S{1,500}")


def _is_machine_line(line: str) -> bool:
    s = line.strip()
    n = len(s)
    if n < 3:
        return True
    if _LOG_START.match(s):
        return True
    if n >= 60 and s.count(" ") * 25 < n:
        return True  # base64, minified code, hashes
    code = n - len(s.translate(_CODE_DELETE))
    if code >= 3:
        ratio = code / n
        if ratio > (0.25 if _PROSE_START.match(s) else 0.1):
            return True
    if s[-1] in ";{}" and code >= 2:
        return True
    letters = sum(1 for ch in s[:200] if ch.isalpha())
    return letters * 2 < min(n, 200)


def prose_lines(text: str) -> list[str]:
    """The prose lines of ``text``: fenced and indented code, log lines and other machine text
    dropped (a blank line left in their place), bullets stripped, inline code and URLs replaced by
    placeholders."""
    out: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or not line.strip():
            if out and out[-1] != "":
                out.append("")
            continue
        if line[:1] in " \t" and len(line) - len(line.lstrip()) >= 4 and any(c in line for c in "(){}[]=;"):
            continue
        if _is_machine_line(line):
            if out and out[-1] != "":
                out.append("")
            continue
        line = _BULLET.sub("", line)
        line = _INLINE_CODE.sub("CODE", line)
        line = _URL.sub("URL", line)
        out.append(line.strip())
    return out


_SENT_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s|$)")
_ABBREV = word_set(
    "mr mrs ms dr st vs etc e.g i.e eg ie approx jr sr no fig prof inc ltd co "
    "u.s a.m p.m mt ft lb lbs oz min max dept est vol"
)


def sentences(lines: list[str]) -> list[str]:
    """The sentences of prose lines, split after ".", "!", "?" and "\u2026" (not after common
    abbreviations or single letters)."""
    out: list[str] = []
    for line in lines:
        if not line:
            continue
        start = 0
        for m in _SENT_END.finditer(line):
            end = m.end()
            before = line[start:m.start()].rsplit(None, 1)
            last = before[-1].lower() if before else ""
            if m.group(0)[0] == "." and (last in _ABBREV or (len(last) == 1 and last.isalpha() and last != "i")):
                continue
            piece = line[start:end].strip()
            if piece:
                out.append(piece)
            start = end
        piece = line[start:].strip()
        if piece:
            out.append(piece)
    return out


def mask_quotes(s: str) -> str:
    """Same length as ``s``, with the inside of double quotes replaced by 'x'."""
    if '"' not in s and "\u201c" not in s:
        return s
    chars = list(s)
    inside = False
    for i, ch in enumerate(chars):
        if ch in '"\u201c\u201d':
            inside = (not inside) if ch == '"' else (ch == "\u201c")
        elif inside:
            chars[i] = "x"
    return "".join(chars)
