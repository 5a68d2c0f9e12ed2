"""The editors' newsroom: articles, authors, entities and tags in the Django admin.

One module per thing administered (articles, entities, tags, authors, the read-only
records of provenance and old addresses); `curation` holds what the entity, tag and
author lists share (merges, name clashes, old addresses). Every list page runs a
fixed number of queries (each admin's `get_queryset` selects and prefetches what its
columns show). Bulk actions write a LogEntry per article, so History shows who
changed what. Long operations (merges, re-linking, re-extraction, bulk actions over
more than a page of articles) are background jobs (articles/jobs/): the admin enqueues
them and says so; `jobs` lists them.
"""

from . import articles, authors, entities, jobs, records, tags  # noqa: F401 -- each registers its admin
