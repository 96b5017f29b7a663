"""Where readable memory ends: the runs of contiguous readable regions of a target.

A size read from the target is plausible only when what it describes ends inside the
run of readable memory its start lies in (decode/reader.py checks strs, lists, tuples,
longs... against it): a real 500 MB str passes, a bit-flipped size does not.
"""

import bisect


class ReadableRuns:
    """Readable ``[start, end)`` ranges, sorted, with touching or overlapping ones merged."""

    def __init__(self, ranges):
        runs = []
        for start, end in sorted(ranges):
            if runs and start <= runs[-1][1]:
                runs[-1][1] = max(runs[-1][1], end)
            else:
                runs.append([start, end])
        self._starts = [start for start, _ in runs]
        self._ends = [end for _, end in runs]

    def end(self, address):
        """End of the run holding ``address``; ``address`` itself when none does."""
        index = bisect.bisect_right(self._starts, address) - 1
        if index >= 0 and address < self._ends[index]:
            return self._ends[index]
        return address
