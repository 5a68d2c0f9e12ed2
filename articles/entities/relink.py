"""Re-linking: extract the entities of stored articles again after the vocabulary changes.

An article's entities are a function of its text, the vocabulary and the
statistical model's reading of the text (`extract.extract_entities`). After an
editor adds an alias or an entity, renames one or merges two, or an ingest
creates entities, `relink()` runs that function again over the archive, or over
the articles an edit can affect, with the vocabulary as it is now and each
article's stored reading (`ModelReading`) in place of the model, and rewrites
the mentions that changed. So an article links what extraction would link if it
arrived now, whatever came before it:

- an article with a reading of its current text gets exactly what extraction
  gives (mentions editors added stay);
- an article without one (ingested with --no-ner, or edited since it was read)
  is matched by the vocabulary alone: mentions the vocabulary found (source
  "vocabulary") are replaced by what it finds now, so a removed alias unlinks
  too; mentions only the model found (source "model") stay, with the larger of
  the two counts if the vocabulary now finds them as well;
- articles whose entities editors pinned are never touched.

Set-based: article texts are streamed in id order, matched in worker processes
(forked after the vocabulary is built, so they share it), and the parent only
reads current mentions and writes the articles whose mentions changed, a few
statements per chunk.
"""

import multiprocessing
import time
from dataclasses import dataclass

from .. import changes, writes
from ..models import Article, Entity, Mention
from ..seed import SeedDocument
from ..writes import find_or_create, mention_counts, replace_mentions, write_mentions
from .extract import MODEL, VOCABULARY, FoundEntity, extract_entities, model_text, read_document
from .junk import is_junk
from .ner import Reading
from .stored import load_vocabulary

CHUNK_SIZE = 1000


@dataclass
class RelinkReport:
    articles: int = 0  # articles matched
    changed: int = 0  # articles whose mentions were rewritten
    added: int = 0  # mentions created
    removed: int = 0  # mentions deleted
    updated: int = 0  # mentions whose count changed
    seconds: float = 0.0

    def as_dict(self):
        return {
            "articles": self.articles,
            "changed": self.changed,
            "added": self.added,
            "removed": self.removed,
            "updated": self.updated,
            "seconds": round(self.seconds, 3),
        }


def relink(
    entity_ids=None,
    *,
    article_ids=None,
    vocabulary=None,
    workers=1,
    chunk_size=CHUNK_SIZE,
    dry_run=False,
    progress=None,
):
    """Re-match the vocabulary over the archive; return a RelinkReport.

    `entity_ids`: only articles that could mention these entities (their text
    holds one of the entity's forms, or they mention it now) are read.
    `article_ids`: only these articles (with `entity_ids`, those of them that
    could mention the entities). Without either, every article whose entities
    are not pinned is. `progress(done, total)` is called after each chunk.
    """
    started = time.monotonic()
    report = RelinkReport()
    articles = _articles(entity_ids, article_ids)
    if articles is None:
        return report
    total = _count(articles)
    if not total:
        report.seconds = time.monotonic() - started
        return report
    vocabulary = vocabulary if vocabulary is not None else load_vocabulary()
    writer = _MentionWriter(report, dry_run=dry_run)
    chunks = _chunks(articles, chunk_size)

    if workers > 1 and total > chunk_size:
        context = multiprocessing.get_context("fork")
        # Forked workers inherit our database connection but never use it: they only match text.
        with context.Pool(workers, initializer=_init_worker, initargs=(vocabulary,)) as pool:
            pending = []
            for rows in chunks:
                pending.append(pool.apply_async(_match_rows, (rows,)))
                # Keep a chunk per worker in flight, plus one: the parent reads the next while they match.
                if len(pending) > workers:
                    writer.write(pending.pop(0).get())
                    _report_progress(progress, report, total)
            for result in pending:
                writer.write(result.get())
                _report_progress(progress, report, total)
    else:
        _init_worker(vocabulary)
        for rows in chunks:
            writer.write(_match_rows(rows))
            _report_progress(progress, report, total)
    report.seconds = time.monotonic() - started
    return report


def _report_progress(progress, report, total):
    if progress is not None:
        progress(report.articles, total)


def articles_to_relink(entity_ids):
    """The articles re-linking `entity_ids` reads (all unpinned ones for None): a queryset, or a
    sorted id list (None if the entities are gone). A re-linking job splits them into parts."""
    return _articles(entity_ids)


def _articles(entity_ids, article_ids=None):
    """The articles to re-link: a queryset, or a sorted id list for some entities (None if they are gone)."""
    articles = Article.objects.filter(entities_pinned=False)
    if article_ids is not None:
        wanted = sorted(articles.filter(id__in=list(article_ids)).values_list("id", flat=True))
        if entity_ids is None:
            return wanted
        named = _articles(entity_ids)
        return None if named is None else sorted(set(named) & set(wanted))
    if entity_ids is None:
        return articles
    entities = list(Entity.objects.filter(id__in=list(entity_ids)).values_list("id", "name", "aliases"))
    ids = [pk for pk, _, _ in entities]
    forms = {form.lower() for _, name, aliases in entities for form in (name, *aliases) if form.strip()}
    if not ids:
        return None
    return writes.unpinned_articles_holding([_like(form) for form in forms], or_mentioning=ids)


def _count(articles):
    return len(articles) if isinstance(articles, list) else articles.count()


_COLUMNS = ("pk", "title", "dek", "body", "author__name", "author__bio")
_READING = ("model_reading__sha256", "model_reading__spans")


def _chunks(articles, chunk_size):
    """Rows (id, headline, dek, body, author, bio, reading's sha256, its spans) in id order, `chunk_size` at a time."""
    if isinstance(articles, list):
        for start in range(0, len(articles), chunk_size):
            ids = articles[start : start + chunk_size]
            yield list(Article.objects.filter(pk__in=ids).order_by("pk").values_list(*_COLUMNS, *_READING))
        return
    last = 0  # keyset pagination: each chunk is one indexed range scan
    queryset = articles.order_by("pk").values_list(*_COLUMNS, *_READING)
    while True:
        rows = list(queryset.filter(pk__gt=last)[:chunk_size])
        if not rows:
            return
        last = rows[-1][0]
        yield rows


_worker_state = {}


def _init_worker(vocabulary):
    _worker_state["vocabulary"] = vocabulary


def _match_rows(rows):
    """(article id, [(name, kind, count, source, byline_only)], replayed) for each row: each found
    entity as the tuple of its FoundEntity fields (compact between processes).

    `replayed`: the article's stored reading is of its current text, and the whole
    extraction ran with it; otherwise the vocabulary alone was matched.
    """
    vocabulary = _worker_state["vocabulary"]
    results = []
    for pk, title, dek, body, author, bio, sha256, spans in rows:
        document = SeedDocument(headline=title, dek=dek, body=body, author=author or "", bio=bio or "")
        reading = Reading.stored(sha256, spans) if sha256 is not None else None
        if reading is not None and not reading.fits(model_text(document)):
            reading = None  # read before an edit: the spans are not this text's
        found = extract_entities(document, vocabulary, reading=reading, ner=False)
        results.append((pk, [(e.name, e.kind, e.count, e.source, e.byline_only) for e in found], reading is not None))
    return results


class _MentionWriter:
    """Compares new vocabulary mentions with the stored ones and writes the differences."""

    def __init__(self, report, *, dry_run):
        self.report = report
        self.dry_run = dry_run
        self.entity_ids = {
            (name.lower(), kind): pk for pk, name, kind in Entity.objects.values_list("pk", "name", "kind").iterator()
        }

    def write(self, results):
        self.report.articles += len(results)
        if not results:
            return
        article_ids = [pk for pk, _, _ in results]
        stored = {}
        for article_id, entity_id, *mention in Mention.objects.filter(article_id__in=article_ids).values_list(
            "article_id", "entity_id", "count", "source", "byline_only"
        ):
            stored.setdefault(article_id, {})[entity_id] = tuple(mention)
        self._learn_new_entities(results)

        rows, changed = [], []
        for article_id, found, replayed in results:
            old = stored.get(article_id, {})
            new = self._new_mentions(found, old, replayed)
            if new != old:
                changed.append(article_id)
                self.report.added += len(new.keys() - old.keys())
                self.report.removed += len(old.keys() - new.keys())
                self.report.updated += sum(1 for k in new.keys() & old.keys() if new[k] != old[k])
                rows.extend((article_id, entity_id, *mention) for entity_id, mention in new.items())
        self.report.changed += len(changed)
        if changed and not self.dry_run:
            _replace(changed, rows)

    def _new_mentions(self, found, old, replayed):
        """{entity id: (count, source, byline_only)}: what extraction found, and what it does not decide.

        Mentions editors added stay (with the larger count). Without a reading, so do
        those only the model found: the vocabulary alone cannot tell whether they hold.
        """
        new = mention_counts(
            [FoundEntity(*item) for item in found], lambda e: self.entity_ids.get((e.name.lower(), e.kind))
        )
        if not replayed:
            new = {pk: (count, VOCABULARY, byline_only) for pk, (count, _, byline_only) in new.items()}
        for entity_id, (count, source, byline_only) in old.items():
            if source == VOCABULARY or (replayed and source == MODEL):
                continue  # what extraction finds now replaces it
            if entity_id in new:
                new_count, _, new_byline_only = new[entity_id]
                new[entity_id] = (max(count, new_count), source, byline_only and new_byline_only)
            else:
                new[entity_id] = (count, source, byline_only)
        return new

    def _learn_new_entities(self, results):
        """Entities the vocabulary pass names that have no row yet (a byline's author, a spelt-out acronym)."""
        missing = {
            (name, kind)
            for _, found, _ in results
            for name, kind, *_ in found
            if (name.lower(), kind) not in self.entity_ids and not is_junk(name, kind)
        }
        if not missing:
            return
        if self.dry_run:
            for name, kind in missing:
                self.entity_ids[(name.lower(), kind)] = -1
            return
        with changes.atomic():  # new rows no page shows yet: nothing to apply
            ids = find_or_create(Entity, {pair: pair for pair in missing}, fallback_prefix="entity")
        for (name, kind), pk in ids.items():
            self.entity_ids[(name.lower(), kind)] = pk


def articles_naming(entity_ids, *, not_mentioning=False):
    """Sorted ids of the articles whose text may name one of these entities (its name or an alias).

    A superset (words are matched stemmed, as search matches them) that the
    vocabulary pass then narrows: the search entries' index finds the articles
    whose headline, dek, body or byline hold a form's words in order, and the
    authors' bios are read for them. Forms made only of stop words ("US", "IT")
    are looked for in the raw text. With `not_mentioning`, an article without a
    model reading is left out for an entity it mentions already: what found it
    there (its byline, an acronym it defines) finds what the vocabulary would.
    An article with one is not: the entity in the vocabulary changes how its spans
    are read. Articles without a search entry yet (an ingest still finishing them)
    are not found by their text.
    """
    entities = Entity.objects.filter(id__in=list(entity_ids)).values_list("id", "name", "aliases")
    pairs = sorted({(pk, form) for pk, name, aliases in entities for form in (name, *aliases) if form.strip()})
    if not pairs:
        return []
    return writes.articles_with_phrases([(pk, form, _like(form)) for pk, form in pairs], not_mentioning=not_mentioning)


def _like(form):
    return "%" + form.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def remove_junk_entities(*, dry_run=False):
    """Delete the entities whose names are junk (`junk.py`), then re-link the articles that named them.

    "Twitter @handle" goes, and the articles that mentioned it are matched against the
    vocabulary again (which finds "Twitter"). Through the change path: search entries,
    statistics and cached pages follow. Returns (names removed, articles re-linked).
    """
    junk = {pk: name for pk, name, kind in Entity.objects.values_list("pk", "name", "kind") if is_junk(name, kind)}
    if not junk:
        return [], 0
    article_ids = set(Mention.objects.filter(entity_id__in=list(junk)).values_list("article_id", flat=True))
    if dry_run:
        return sorted(junk.values()), len(article_ids)
    with changes.atomic():
        Mention.objects.filter(entity_id__in=list(junk)).delete()
        Entity.objects.filter(pk__in=list(junk)).delete()
        changes.apply(articles=article_ids, entities=list(junk))
    # After that transaction, in its own (one per chunk): a large archive is not re-linked in one.
    relink(article_ids=article_ids)
    return sorted(junk.values()), len(article_ids)


def _replace(article_ids, rows):
    with changes.atomic():
        write_mentions(article_ids, rows)
        changes.apply(articles=article_ids)  # entity counts, timelines, "appears with", pages


def reextract(article_ids, *, vocabulary=None, ner=True):
    """Extract the entities of the given articles again from their current text, and store them.

    The model reads each text again (unless `ner=False`) and its reading is stored
    with the mentions, unlike relink(), which replays the stored one; articles whose
    entities editors pinned are skipped. Writes the mentions only: the caller, inside
    `changes.atomic()`, then calls `changes.apply(articles=...)` with the returned ids.
    """
    articles = list(Article.objects.filter(id__in=list(article_ids), entities_pinned=False).select_related("author"))
    if not articles:
        return []
    vocabulary = vocabulary if vocabulary is not None else load_vocabulary()
    documents = {article.id: article_document(article) for article in articles}
    readings = {pk: read_document(document) if ner else None for pk, document in documents.items()}
    found = {pk: extract_entities(doc, vocabulary, reading=readings[pk], ner=False) for pk, doc in documents.items()}
    return replace_mentions(found, readings)


def article_document(article):
    """A SeedDocument view of a stored article, for extraction."""
    author = article.author
    return SeedDocument(
        headline=article.title,
        dek=article.dek,
        body=article.body,
        author=author.name if author else "",
        bio=author.bio if author else "",
    )


__all__ = ["MODEL", "VOCABULARY", "RelinkReport", "reextract", "relink", "remove_junk_entities"]
