"""``_closest`` (the ``within`` search) against the plain quadratic search it replaced."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from fraudrules.compiler import MAX_OCCURRENCES, Occurrence, _closest, _combine


def reference(found: Sequence[list[Occurrence]], n: int, within: int) -> list[Occurrence]:
    results: list[Occurrence] = []
    seen: set[tuple[int, int]] = set()
    for low in sorted({occ[1] for occs in found for occ in occs}):
        picks: list[Occurrence] = []
        for occs in found:
            best: Occurrence | None = None
            for occ in occs:
                if occ[1] >= low and (best is None or occ[0] < best[0]):
                    best = occ
            if best is not None:
                picks.append(best)
        if len(picks) < n:
            continue
        picks.sort()
        chosen = picks[:n]
        if chosen[-1][0] - low <= within:
            combined = _combine(chosen)
            if combined[:2] not in seen:
                seen.add(combined[:2])
                results.append(combined)
    return results[:MAX_OCCURRENCES]


occurrence = st.builds(lambda s, w: (s, s + w, ((s, s + w),)),
                       st.integers(0, 40), st.integers(1, 5))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(occurrence, min_size=1, max_size=8), min_size=1, max_size=4),
       st.data())
def test_closest_matches_the_plain_search(found: list[list[Occurrence]],
                                          data: st.DataObject) -> None:
    n = data.draw(st.integers(1, len(found)))
    within = data.draw(st.integers(0, 15))
    assert _closest(found, n, within) == reference(found, n, within)
    limit = data.draw(st.integers(1, 3))
    assert _closest(found, n, within, limit) == reference(found, n, within)[:limit]

