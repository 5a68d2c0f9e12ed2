"""What every kind of job is: `Kind` (plan, run, summarise, history, after), and `split`, which cuts
a list of ids into parts. The kinds themselves are in kinds.py, curation.py and ingest.py."""


class Kind:
    """One kind of job. `plan` returns the parts, [(params, size)]; `run` does one and returns its result."""

    name = ""

    def plan(self, job):
        raise NotImplementedError

    def run(self, job, params):
        raise NotImplementedError

    def summarise(self, job, results):
        """The job's result: the parts' numbers added up."""
        total = {}
        for result in results:
            for key, value in result.items():
                if isinstance(value, int | float):
                    total[key] = total.get(key, 0) + value
        return total

    def history(self, job):
        """The line the job's target gets in its History when the job ends (None: none)."""
        return None

    def after(self, job):
        """What follows the job's end, in the transaction of its last part (another job, say)."""


def split(ids, size):
    ids = list(ids)
    return [({"ids": ids[start : start + size]}, len(ids[start : start + size])) for start in range(0, len(ids), size)]
