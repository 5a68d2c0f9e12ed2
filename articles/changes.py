"""The change path: what every writer calls after changing what readers see.

Writers — the admin (saves, deletes, bulk actions, merges), ingest, re-linking,
imports, the statistics' catch-up — change rows inside `changes.atomic()` and
then call `changes.apply(...)`, once, naming what they changed:

    with changes.atomic():
        article.save()
        writes.replace_tags({article.pk: ["energy"]})
        changes.apply(articles=[article.pk])

`apply()` brings everything derived up to date in the same transaction, so
readers see a change whole or not at all:

1. search entries (`writes.refresh_search_entries`) of the changed articles,
   and of the articles of renamed authors and tags, whose names are searched;
2. reader statistics (`stats.refresh_reader_stats`): counts, timelines and "appears
   with", which also say which public listings the change touched;
3. the related articles of the changed articles (`related.choose_related`), stored
   for their pages (not during an ingest, which leaves those of new articles to
   `manage.py refresh_articles --related`: `choose_related()`);
4. the article pages' stored parts (`parts`): those that show a changed article,
   author, tag or entity are marked stale in one statement, and rendered again with
   the changed articles' — here for a few (`PARTS_INLINE_MAX`), by a job for more; an
   ingest (`related_lists=False`) only marks them, and queues one job at its end;
5. the page cache (`pagecache.invalidate`): the keys of every changed object and
   listing ("articles", the sitemap's list of every address, for any changed article),
   so that exactly the cached pages that show them are rendered anew.

What the database does by itself, and why (migration 0010_change_path; the SQL is
in articles/pagecache.py, which owns the keys):
- At COMMIT, a deferred constraint trigger gives the keys marked by the
  transaction the next content generation. Doing it at COMMIT keeps the one
  generation row locked only while a transaction commits (never for a whole
  ingest batch), and makes the keys change exactly when the content becomes
  visible to other transactions.
- Guard triggers on the tables editors and ingest write (articles, authors, tags,
  entities, mentions, taggings, old addresses): a transaction that writes them
  without `changes.atomic()` — a psql session, a data migration, code that forgot —
  marks the key "all", so every cached page is rendered anew. That is all they do:
  the search entries and statistics of such a write stay as they were until
  `manage.py refresh_articles` (or `rebuild_reader_stats`) brings them up to date.
"""

import contextlib

from django.conf import settings
from django.db import transaction

from . import pagecache, parts, related, stats, writes
from .jobs.queue import enqueue


@contextlib.contextmanager
def atomic():
    """A transaction (or savepoint) whose writes the caller reports to apply() before it ends.

    Tells the guard triggers that these writes are accounted for: pages are then
    invalidated by the keys apply() marks, not all at once.
    """
    with transaction.atomic():
        pagecache.writes_accounted_for()
        yield


def apply(*, articles=(), created=(), authors=(), tags=(), entities=(), everything=False, related_lists=True):
    """Bring search entries, reader statistics and cached pages up to date after a write.

    - `articles`: ids of articles whose text, slug, status, date, author, tags or
      entities changed, or that were deleted;
    - `created`: ids of new articles (no cached page can show them yet);
    - `authors`, `tags`, `entities`: ids of rows whose own fields (name, slug, bio,
      kind, aliases) changed, or that were deleted or merged away;
    - `everything`: every cached page is rendered anew (after a rebuild or an import), and a
      job renders every article's page parts again.
    - `related_lists=False`: the articles' related articles are chosen later, by
      `choose_related()` (ingest: `manage.py refresh_articles --related` after the run).

    Call it inside `atomic()`, after the writes; it runs in the caller's transaction.
    Returns the page-cache keys it marked.
    """
    changed, created = _ids(articles), _ids(created) - _ids(articles)
    touched = changed | created
    writes.refresh_search_entries(touched | writes.articles_of(authors=authors, tags=tags))
    keys = stats.refresh_reader_stats(touched) if touched else set()
    if related_lists:
        related.choose_related(touched)  # after the statistics: it ranks from their public snapshot
    shown = {pagecache.key("article", pk) for pk in changed}  # what other pages show of the changed rows
    for kind, every, ids in (("author", "authors", authors), ("tag", "tags", tags), ("entity", "entities", entities)):
        if ids:  # the row's own pages, and the list of every row of its kind (names, sitemaps)
            shown |= {pagecache.key(kind, pk) for pk in _ids(ids)}
            keys.add(every)
    keys |= shown
    stale = parts.mark_stale(shown)
    if everything:  # "all" makes every stored part stale (parts.py): one job renders them again
        _enqueue_parts(None, "Render the pages of every article")
    elif related_lists:
        render_parts(touched | set(stale))
    if touched:
        keys.add("articles")  # the list of every article's address and last change (the sitemap)
    if keys or touched:
        keys.add("search")
    if everything:
        keys.add(pagecache.EVERYTHING)
    pagecache.invalidate(keys)
    return keys


def render_parts(article_ids):
    """Render the page parts of these articles: in the caller's transaction for a few, else by a
    job (queued in it, so it runs once the write has committed)."""
    ids = sorted(_ids(article_ids))
    if len(ids) <= settings.PARTS_INLINE_MAX:
        parts.render_stored(ids)
    else:
        _enqueue_parts(ids, f"Render the pages of {len(ids):,} changed articles")


def render_missing_parts(after):
    """Queue one job that chooses the related articles of the articles that have none and renders
    every missing or stale page part (what an ingest leaves out of its batches); returns its id.
    `after`: what it follows, for its description."""
    return _enqueue_parts(None, f"Choose related articles and render the pages of the articles written by {after}").pk


def _enqueue_parts(ids, description):
    """Queue the job that renders page parts (jobs kind "parts"): of `ids`, or (None) of every article
    whose parts are missing or stale when a worker plans it."""
    return enqueue("parts", description=description, params={} if ids is None else {"ids": ids})


def choose_related(article_ids, *, only_missing=False):
    """Choose and store the related articles of these articles (`only_missing`: of those that have
    none stored), in a transaction of its own, render their page parts, and re-render their pages.
    For writers that left it out of apply() (`related_lists=False`), and the job that follows an
    ingest (jobs kind "parts")."""
    ids = _ids(article_ids)
    with atomic():
        related.choose_related(related.without_list(ids) if only_missing else ids)
        parts.render_stored(ids)
        pagecache.invalidate({pagecache.key("article", pk) for pk in ids})


def catch_up(request=None):
    """Count scheduled articles whose time has come, and invalidate the listings they join.

    Called before a public page is rendered: articles scheduled for later become public
    with no write at all. One indexed query when none is due (the usual case), none when
    the page cache already asked while looking the `request`'s page up (`articles_due`).
    """
    if request is not None and not getattr(request, "articles_due", True):
        return False
    if not stats.due_articles_exist():
        return False
    with atomic():
        keys = stats.catch_up_reader_stats()
        if keys is None:
            return False
        due = keys | {"search"}
        pagecache.invalidate(due)
    return True


def _ids(values):
    return {int(pk) for pk in values}
