"""The curated vocabulary as editors keep it: every `Entity` row and its aliases, and the names
they rejected, read into a `Vocabulary`.

The one module of this package besides `relink.py` that reads the database; ingest,
re-linking and the jobs that run them all build their vocabulary here.
"""

from ..models import Entity, RejectedName
from .vocabulary import Vocabulary


def load_vocabulary(up_to=None):
    """The curated vocabulary: every Entity with its aliases (`up_to`: those with an id up to it),
    and the names editors rejected (`RejectedName`), which extraction never makes entities.

    `up_to` gives the vocabulary as it was when a run began, without the entities the
    run has created since: every part of a queued ingest reads its files with it, as
    every file of a direct ingest is read with the vocabulary of its start.
    """
    entities = Entity.objects.order_by("pk").values_list("name", "kind", "aliases")
    if up_to is not None:
        entities = entities.filter(pk__lte=up_to)
    return Vocabulary(entities.iterator(chunk_size=5000), rejected=RejectedName.objects.values_list("name", flat=True))
