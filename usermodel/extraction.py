"""Model-independent extraction of propositions about the user.

The rules live in :mod:`usermodel.rules` (see its docstring for how they
work); this module keeps the public entry point where callers import it from.
"""

from __future__ import annotations

from usermodel.rules.extract import KINDS, TEXT_SOURCES, extract

__all__ = ["KINDS", "TEXT_SOURCES", "extract"]
