"""How long suggestions and one notification decision take as the store grows.

    python -m benchmarks.suggestions [--sizes 100 1000 5000] [--rounds 5]

For each size, a fresh home with that many current propositions (synthetic, written
straight to the ledger, rules only, no language model) is built; then timed: the
first refresh (generation of the candidates' suggestions), later refreshes (rescoring
what may be shown), a listing without refresh, and notify_tick. Prints ms per call.
"""

from __future__ import annotations

import argparse
import shutil
import time
from datetime import datetime, timedelta

from benchmarks.common import median, temp_home
from benchmarks.synthetic import propositions


def build(n: int):
    from assistant.services import Familiar
    from assistant.settings import load_settings
    from memory.models import Candidate
    from memory.timeutil import now_utc

    home = temp_home("familiar-bench-suggest-")
    fam = Familiar(load_settings(home, llm={"backend": "none"}))
    start = now_utc() - timedelta(days=30)
    kinds = ("preference", "habit", "plan", "identity", "dislike", "constraint")
    with fam.ledger.transaction():
        for i, text in enumerate(propositions(n)):
            oid, _ = fam.ledger.add_observation("chat", text, at=start + timedelta(minutes=i))
            fam.ledger.insert_proposition(Candidate(
                text=text, reasoning="synthetic", confidence=3 + i % 7, decay=2 + i % 8,
                kind=kinds[i % len(kinds)], evidence=[oid]))
            fam.ledger.mark_extracted([oid])
            fam.ledger.mark_processed([oid])
    return home, fam


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    from assistant.notify import NullBusyProbe

    print(f"{'propositions':>12} {'first refresh':>14} {'refresh p50':>12} {'list p50':>9} "
          f"{'notify_tick (notifies)':>22} {'suggestions':>12}")
    for n in args.sizes:
        home, fam = build(n)
        fam.__dict__["busy_probe"] = NullBusyProbe()
        noon = datetime.now().replace(hour=12, minute=0).astimezone()  # outside quiet hours
        try:
            first = timed(lambda: fam.suggestions(limit=10))
            refresh = [timed(lambda: fam.suggestions(limit=10)) for _ in range(args.rounds)]
            listing = [timed(lambda: fam.suggestions(refresh=False)) for _ in range(args.rounds)]
            tick = timed(lambda: fam.notify_tick(now=noon))  # the first one notifies
            stored = fam.ledger._query("SELECT count(*) FROM suggestions")[0][0]
            print(f"{n:>12} {first:>11.0f} ms {median(refresh):>9.0f} ms {median(listing):>6.0f} ms "
                  f"{tick:>19.0f} ms {stored:>12}")
        finally:
            fam.close()
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
