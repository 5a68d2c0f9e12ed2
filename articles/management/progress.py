"""Progress bars for the commands: tqdm's, with rate and time left, on standard error."""

import sys

from tqdm import tqdm


def progress_bar(unit, *, enabled=None):
    """A `progress(done, total)` callable drawing a tqdm bar, or None when standard error is not a terminal.

    Call `.close()` on it when done (it is the callable's attribute).
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None
    bar = tqdm(total=0, unit=f" {unit}", unit_scale=False, dynamic_ncols=True, file=sys.stderr)

    def progress(done, total):
        if bar.total != total:
            bar.total = total
            bar.refresh()
        bar.update(done - bar.n)

    progress.close = bar.close
    return progress
