"""Ingest workflow: seed files on disk become articles in the database.

    files --read+parse (seed.py)--> extract entities, derive tags --> write in batches

Reading, parsing and extraction are pure and run in worker processes (with the
statistical model, always: even `workers=1` gets one worker, so the parent's
writes overlap the model's work); the parent process owns the database and
writes batches of documents with a handful of set-based statements per batch.
The model is loaded once, in the parent, before the workers are forked, so they
share its weights. `ner=False` links only the curated vocabulary: the fast path
for bulk back-fills.

Identity, in order, for each parsed file:
1. the same path was ingested before with the same text            -> unchanged
2. another article already has exactly this text (SHA-256)           -> duplicate
3. the same path was ingested before with other text                 -> update its article
4. an article with the same headline and author exists (case-blind)  -> update it
   (a corrected copy re-sent under a new file name)
5. otherwise                                                         -> create
An update of an article an editor changed since its last ingest is a conflict
and is skipped, unless `force` is set.

Each batch is one transaction: articles, authors, tags, mentions and provenance
are written whole or not at all. What is derived from them for readers (search
entries and reader statistics) is built for newly created articles in chunks,
each in its own transaction: set-based work over thousands of articles costs far
less per article than over one batch. A run of more than one batch finishes them
on a second connection (`Finisher`), which takes every article committed since
its last chunk whenever it is free and there are a tenth of `FINISH_CHUNK` or
more: full chunks when it is the slower side (a fast `--no-ner` load), smaller
ones when the writer is (with the statistical model, 500 articles are about half
a minute's work), so new articles reach the site's lists and search soon after
their batch rather than at the end of the run. (Smaller chunks cost more per
article: many articles' deltas to the same popular entities' counts merge in one.)
Until its chunk is finished an article has no search entry, and that is the
durable mark: every run first finishes any article left without one (by a run
that was killed, say), and ends with all of its own finished. Updated articles already have an
entry and are refreshed within their batch.

If a batch fails in the database, its files are
retried one per transaction, so one bad file never stops or undoes the others.
The database's unique constraints decide races between concurrent runs: the
loser finds the winner's row and reports the file as unchanged.
"""

import contextlib
import datetime
import errno
import logging
import multiprocessing
import os
import queue
import stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, connection, connections
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from . import changes, writes
from .entities import extract_entities, read_document
from .entities.ner import load_model
from .entities.relink import articles_naming, relink
from .entities.stored import load_vocabulary
from .models import (
    Article,
    Author,
    Entity,
    SearchEntry,
    SeedFile,
    free_slugs,
    make_slug,
    twitter_handle_from,
)
from .routes import slug_path
from .seed import MAX_BYTES, SeedError, parse_seed
from .stats import take_lock as take_stats_lock
from .textcleanup import clean_document
from .topics import derive_tags
from .writes import find_or_create, replace_mentions, replace_tags

logger = logging.getLogger(__name__)

BATCH_SIZE = 250
FINISH_CHUNK = 5000  # new articles whose search entries and reader statistics are built together
READ_AHEAD = 2000  # parsed files waiting for the writer at most: bounds memory whatever the corpus size


class IngestUsageError(Exception):
    """The arguments themselves are wrong (a path that does not exist)."""


@dataclass
class IngestReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    conflicts: int = 0
    failed: list = field(default_factory=list)  # {"path", "error"}
    warnings: list = field(default_factory=list)  # {"path", "warning"}
    notes: list = field(default_factory=list)  # (path, outcome, detail) for duplicates and conflicts
    relinked: int = 0  # stored articles rewritten to link the entities this run created (each round counts)
    seconds: float = 0.0

    @property
    def files(self):
        return self.created + self.updated + self.unchanged + self.duplicates + self.conflicts + len(self.failed)

    def as_dict(self):
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "failed": self.failed,
            "warnings": self.warnings,
            "relinked": self.relinked,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class Prepared:
    """One parsed seed file, ready to write."""

    path: str
    document: object  # seed.SeedDocument
    sha256: str
    entities: list  # FoundEntity
    tags: list  # str
    warnings: tuple = ()
    reading: object = None  # the model's ner.Reading the entities came from (None: without the model)
    extracted: bool = True  # False: unchanged since its last ingest, so not analysed (no entities, no tags)


@dataclass
class Failure:
    path: str
    error: str


def iter_seed_files(paths):
    """Seed files named by `paths`: files as given, folders searched for *.txt.

    Yields absolute paths as strings, resolved, de-duplicated, and sorted within
    each folder. A symbolic link in a folder that leads out of it is yielded as the
    link itself, unresolved, and prepare() refuses it: whoever can write into a
    seed folder must not be able to publish any file the ingest can read
    (/etc/passwd, another site's secrets). Raises IngestUsageError for a path
    that does not exist, or a folder with no *.txt file under it (a mistyped
    sub-folder would otherwise be a silent success).
    """
    seen = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise IngestUsageError(f"{raw}: no such file or folder")
        if path.is_dir():
            root = path.resolve()
            # Sorted by path components, as Path objects sort.
            candidates = sorted(_text_files(str(path), str(root)), key=lambda c: c[0].split(os.sep))
            if not candidates:
                raise IngestUsageError(f"{raw}: no seed files (*.txt) were found under this folder")
        else:
            root, candidates = None, [(str(path), None)]
        for candidate, resolved in candidates:
            if resolved is None:  # a file named on its own, or a symbolic link in a folder
                target = _resolved(candidate)
                if target is None or (root is not None and not target.is_relative_to(root)):
                    target = Path(candidate).absolute()  # read_seed_file() refuses a link
                resolved = str(target)
            if resolved not in seen:
                seen.add(resolved)
                yield resolved


def _resolved(candidate):
    """The path a link leads to, or None when it cannot be followed (swapped for a loop or
    made unreadable since the folder was listed): then the link itself is read, and refused."""
    try:
        return Path(candidate).resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop, before Python 3.13
        return None


def _text_files(folder, root):
    """(path, resolved path or None for a symbolic link) of every *.txt file under `folder`.

    Symbolic links to folders are not followed (as `Path.rglob` does not), but listed, so that
    reading them fails with a reason (a link out of the folder, or a folder). Directory
    entries tell files, folders and links apart without a system call each, and a
    file reached through real folders only is resolved by joining it to `root`, the
    resolved folder: 100,000 files are listed in a fraction of what `rglob`, `is_file`
    and `resolve` per file cost.
    """
    pending = [(folder, root)]
    while pending:
        directory, resolved_directory = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, os.path.join(resolved_directory, entry.name)))
                elif entry.is_symlink() and entry.is_dir():
                    yield entry.path, None  # a link to a folder: not followed, but reported, never skipped unsaid
                elif os.path.splitext(entry.name)[1].lower() == ".txt" and entry.is_file():
                    resolved = None if entry.is_symlink() else os.path.join(resolved_directory, entry.name)
                    yield entry.path, resolved


def read_seed_file(path, max_bytes):
    """The bytes of the seed file at `path` (absolute, as iter_seed_files() gives it), read
    without ever following a symbolic link. Raises SeedError or OSError.

    Checking first and reading after would race with whoever can write into the folder:
    a file or a folder on the way swapped for a link in between would be read through
    it. So the file is opened with O_NOFOLLOW (a link there fails to open), and the
    descriptor must lead to `path` itself (a folder above swapped for a link since the
    listing leads elsewhere). Only a regular file is read (a named pipe would block).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SeedError(
                f"symbolic link{_link_target(path)}, outside the folder: copy what it leads to in instead"
            ) from None
        raise
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SeedError("not a regular file (a pipe, a device or a folder): only plain text files are read")
        opened = _opened_path(fd)
        if opened is not None and opened != os.path.abspath(path):
            raise SeedError(f"the path led to {opened} when it was opened (a folder replaced by a link?): not read")
        if info.st_size > max_bytes:
            raise SeedError(
                f"file is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit (--max-bytes raises it)"
            )
        return file.read(max_bytes + 1)


def _link_target(path):
    try:
        return f" to {os.readlink(path)}"
    except OSError:
        return ""


def _opened_path(fd):
    """The path the kernel has for an open file (Linux's /proc), or None where it cannot say."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


def prepare(path, vocabulary, *, max_bytes=MAX_BYTES, ner=True, ingested=None):
    """Read, parse and analyse one file: a Prepared document or a Failure.

    `ingested`: path -> SHA-256 of files ingested before (`_ingested_before`); a file
    whose text is the one ingested from its path is not analysed (`extracted` False):
    the writer finds it unchanged. An error in analysing the text (the model, the rules) is
    that file's Failure, logged with its traceback: the other files of the run are stored.
    """
    read = _read(Path(path), max_bytes)
    if isinstance(read, Failure):
        return read
    parsed, document, warnings = read
    if ingested and ingested.get(str(path)) == parsed.sha256:
        return Prepared(str(path), document, parsed.sha256, [], [], warnings, extracted=False)
    try:
        reading = read_document(document) if ner else None
        entities = extract_entities(document, vocabulary, reading=reading, ner=False)
        tags = list(document.tags) or derive_tags(document, entities)
    except Exception as exc:  # noqa: BLE001 -- each file stands alone: a fault with one text fails that file
        logger.exception("ingest: reading the entities and tags of %s failed", path)
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'no message'}"
        return Failure(str(path), f"reading its entities and tags failed ({reason}); its traceback is in the log")
    return Prepared(str(path), document, parsed.sha256, entities, tags, warnings, reading)


def _read(path, max_bytes):
    """(parsed seed, cleaned document, warnings) of one file, or a Failure."""
    try:
        parsed = parse_seed(read_seed_file(path, max_bytes), max_bytes=max_bytes)
    except SeedError as exc:
        return Failure(str(path), str(exc))
    except OSError as exc:
        return Failure(str(path), f"cannot read file: {exc.strerror or exc}")
    document, cleaned = clean_document(parsed.document)
    empty = [name for name in ("headline", "body", "author") if not getattr(document, name)]
    if empty:
        return Failure(str(path), f"nothing but invisible or control characters in the {' and '.join(empty)}")
    warnings = parsed.warnings
    if cleaned:
        fields = ", ".join(cleaned)
        warnings += (f"cleaned the {fields}: invisible and control characters removed, spaces and accents in one form",)
    return parsed, document, tuple(warnings)


def _ingested_before(files):
    """path -> SHA-256 of the text last ingested from it, for those of `files` ingested before."""
    paths = [str(path) for path in files]
    ingested = {}
    for start in range(0, len(paths), 5000):
        ingested.update(SeedFile.objects.filter(path__in=paths[start : start + 5000]).values_list("path", "sha256"))
    return ingested


def _needs_model(files, ingested, max_bytes):
    """Whether any of `files` will be analysed: one that is readable and not unchanged (stops at the first)."""
    for path in files:
        read = _read(Path(path), max_bytes)
        if not isinstance(read, Failure) and ingested.get(str(path)) != read[0].sha256:
            return True
    return False


# Worker processes keep their vocabulary in a module global set by the pool initialiser.
_worker_state = {}


def _init_worker(vocabulary, max_bytes, ner, ingested):
    _worker_state.update(vocabulary=vocabulary, max_bytes=max_bytes, ner=ner, ingested=ingested)


def _prepare_in_worker(path):
    state = _worker_state
    return prepare(
        path, state["vocabulary"], max_bytes=state["max_bytes"], ner=state["ner"], ingested=state["ingested"]
    )


def ingest_paths(
    paths,
    *,
    dry_run=False,
    force=False,
    max_bytes=MAX_BYTES,
    workers=1,
    batch_size=BATCH_SIZE,
    progress=None,
    ner=True,
    finish_chunk=FINISH_CHUNK,
):
    """Ingest the seed files under `paths`; return an IngestReport.

    `ner=False` skips the statistical model and links only the curated
    vocabulary. `finish_chunk`: new articles whose search entries and reader
    statistics are built together, at most. `progress`, if given, is called as progress(done, total) after
    each batch. Raises IngestUsageError before doing anything if a path does
    not exist or is a folder with no *.txt file.
    """
    started = time.monotonic()
    files = list(iter_seed_files(paths))
    return ingest_files(
        files,
        started=started,
        dry_run=dry_run,
        force=force,
        max_bytes=max_bytes,
        workers=workers,
        batch_size=batch_size,
        progress=progress,
        ner=ner,
        finish_chunk=finish_chunk,
    )


def ingest_files(
    files,
    *,
    started=None,
    dry_run=False,
    force=False,
    max_bytes=MAX_BYTES,
    workers=1,
    batch_size=BATCH_SIZE,
    progress=None,
    ner=True,
    finish_chunk=FINISH_CHUNK,
    link_new=True,
    known_entities=None,
):
    """Ingest `files`, as iter_seed_files() lists them (a symbolic link among them is refused).

    What ingest_paths() does once it has listed its files; a queued ingest's parts
    (articles/jobs/ingest.py) call it with theirs, with `link_new=False`: the entities
    the parts create are linked to the stored articles once, by a job of their own.
    `known_entities`: the last entity id when the run began (a queued ingest's, when it
    was enqueued): its files are read with the vocabulary up to there, not with the
    entities earlier parts created, so that what a file gives does not depend on the
    part it falls in, or on which parts ran before it.
    """
    started = time.monotonic() if started is None else started
    report = IngestReport()
    if known_entities is None:
        known_entities = Entity.objects.aggregate(last=Max("id"))["last"] or 0
    vocabulary = load_vocabulary(up_to=known_entities)
    writer = BatchWriter(report, dry_run=dry_run, force=force, finish_chunk=finish_chunk)
    if not dry_run and len(files) > batch_size and not connection.in_atomic_block:
        # A run of several batches finishes its chunks on a second connection while it writes
        # the next batches: PostgreSQL then works on two cores. (Inside a transaction, as in
        # tests, another connection could not see the articles: chunks are finished in line.)
        writer.finisher = Finisher()
        writer.finisher.start()
    ingested = _ingested_before(files)
    if ner and _needs_model(files, ingested, max_bytes):
        load_model()  # before forking: the workers share the loaded weights
    try:
        with _prepared(files, vocabulary, max_bytes=max_bytes, ner=ner, workers=workers, ingested=ingested) as results:
            if not dry_run:
                writer.finish_pending()  # articles a killed run left without search entries and statistics
            _write_all(results, writer, report, batch_size=batch_size, progress=progress, total=len(files))
    finally:
        writer.close()
    if link_new and not dry_run and report.created + report.updated:
        report.relinked = link_new_entities(known_entities, workers=workers)
        # The run's related lists and page parts, left out of its batches: one job, for a worker.
        changes.render_missing_parts("the ingest")
    if not dry_run and report.created + report.updated:
        writes.merge_search_pending()  # searches read the indexes' pending lists whole
    report.seconds = time.monotonic() - started
    return report


LINK_ROUNDS = 5  # re-linking may create entities in turn (a spelt-out acronym): rounds until none


def link_new_entities(known_entities, *, workers=1):
    """Link the entities created after id `known_entities` to the stored articles that name them.

    Extraction read each file with the vocabulary as the run began: an entity first
    found in the run (a byline's author, a name the model found) was unknown to the
    articles before it, and to every article of earlier runs. The articles that name
    one are extracted again, as `relink_entities` would (with their stored reading:
    the model does not run again), until re-linking creates no entity of its own.
    Each article then has what extraction gives with the vocabulary the run ends with,
    whatever its place in the run. `workers`: processes that extract (as relink() uses
    them). Returns how many articles were rewritten.
    """
    changed = 0
    for _round in range(LINK_ROUNDS):
        latest = Entity.objects.aggregate(last=Max("id"))["last"] or 0
        new = list(Entity.objects.filter(id__gt=known_entities).values_list("id", flat=True))
        if not new:
            break
        stale = articles_naming(new, not_mentioning=True)
        if stale:
            changed += relink(article_ids=stale, workers=max(1, workers)).changed
        known_entities = latest
    return changed


@contextlib.contextmanager
def _prepared(files, vocabulary, *, max_bytes, ner, workers, ingested):
    """Yields the Prepared documents (or Failures) of `files`, in order.

    In worker processes when there is more than one file and more than one worker, or
    the statistical model (even one worker, so the parent's writes overlap its work);
    `workers=0`: in this process (a queued ingest's part, where the job queue's
    workers are the processes).
    """
    if len(files) <= 1 or workers == 0 or (workers <= 1 and not ner):
        yield (prepare(path, vocabulary, max_bytes=max_bytes, ner=ner, ingested=ingested) for path in files)
        return
    # Forked workers inherit our database connection but never use it: they only read,
    # parse and analyse files, and leave with os._exit, which runs no finalisers.
    context = multiprocessing.get_context("fork")
    pool = context.Pool(workers, initializer=_init_worker, initargs=(vocabulary, max_bytes, ner, ingested))
    # Pool.imap hands out every task at once and keeps every result the writer has not taken
    # yet: when the writer is the slower side, a big corpus would pile up in memory. A
    # semaphore bounds the files handed out but not yet taken.
    slots, stopping = threading.Semaphore(READ_AHEAD), threading.Event()

    def handed_out():
        for path in files:
            slots.acquire()
            if stopping.is_set():  # so that pool.terminate() never waits on us
                return
            yield path

    def taken(results):
        for result in results:
            slots.release()
            yield result

    try:
        yield taken(pool.imap(_prepare_in_worker, handed_out(), chunksize=4 if ner else 16))
    finally:
        stopping.set()
        slots.release()
        pool.terminate()
        pool.join()


def _write_all(results, writer, report, *, batch_size, progress, total):
    """Write the prepared documents in batches; failures and warnings go to the report."""
    batch = []
    done = 0
    for result in results:
        done += 1
        if isinstance(result, Failure):
            report.failed.append({"path": result.path, "error": result.error})
            continue
        report.warnings.extend({"path": result.path, "warning": w} for w in result.warnings)
        batch.append(result)
        if len(batch) >= batch_size:
            writer.write(batch)
            batch = []
            if progress:
                progress(done, total)
    writer.write(batch)
    writer.finish()
    if progress:
        progress(total, total)


@dataclass
class Plan:
    """What a batch will do to each of its documents."""

    create: list = field(default_factory=list)  # Prepared
    update: list = field(default_factory=list)  # (Prepared, article id)
    deferred: list = field(default_factory=list)  # Prepared, retried in a later batch
    outcomes: list = field(default_factory=list)  # (path, outcome, detail) for unchanged/duplicate/conflict


class BatchWriter:
    def __init__(self, report, *, dry_run=False, force=False, finish_chunk=FINISH_CHUNK):
        self.report = report
        self.dry_run = dry_run
        self.force = force
        self.finish_chunk = finish_chunk
        self.pending = []
        self.unfinished = []  # ids of created articles whose search entries and statistics are not built yet
        self.finisher = None  # a Finisher thread, or None to finish chunks in line

    def write(self, batch):
        """Write `batch` (plus anything deferred from earlier batches)."""
        batch = self.pending + list(batch)
        self.pending = []
        rounds = 0
        while batch:
            rounds += 1
            if rounds > 20:  # only reachable with pathological races; report rather than loop
                for prepared in batch:
                    self._fail(prepared, "could not be stored after repeated conflicts with concurrent writes")
                return
            self._created_now = []
            try:
                with changes.atomic():
                    plan = self._plan(batch)
                    if not self.dry_run:
                        lost = self._apply(plan)
                    else:
                        lost = []
            except DatabaseError as exc:
                if len(batch) == 1:
                    self._fail(batch[0], _database_error(exc))
                    return
                # Isolate the file at fault: retry each one in its own transaction.
                for prepared in batch:
                    self.write([prepared])
                return
            self._record(plan)
            self.unfinished.extend(self._created_now)  # committed: they are the finishing's to do
            batch = plan.deferred + lost
        if len(self.unfinished) >= self.finish_chunk or (
            self.finisher is not None and self.finisher.idle and len(self.unfinished) >= self.finish_chunk // 10
        ):
            self._finish_articles()

    def finish(self):
        if self.pending:
            batch, self.pending = self.pending, []
            self.write(batch)
        self._finish_articles()

    def finish_pending(self):
        """Finish every article stored without a search entry (a killed run's last chunk)."""
        entry = SearchEntry.objects.filter(article=OuterRef("pk"))
        unfinished = Article.objects.filter(~Exists(entry)).order_by("id").values_list("id", flat=True)
        self.unfinished.extend(unfinished)
        self._finish_articles()

    def _finish_articles(self):
        """Build search entries and reader statistics for the created articles, a chunk per transaction."""
        while self.unfinished:
            chunk, self.unfinished = self.unfinished[: self.finish_chunk], self.unfinished[self.finish_chunk :]
            if self.finisher is not None:
                self.finisher.submit(chunk)
            else:
                finish_articles(chunk)

    def close(self):
        """Wait for the finisher thread, if any; raises what it raised."""
        finisher, self.finisher = self.finisher, None
        if finisher is not None:
            finisher.close()

    def _fail(self, prepared, error):
        logger.debug("ingest failed for %s: %s", prepared.path, error)
        self.report.failed.append({"path": prepared.path, "error": error})

    def _record(self, plan):
        report = self.report
        report.created += len(plan.create)
        report.updated += len(plan.update)
        for path, outcome, detail in plan.outcomes:
            if outcome == "unchanged":
                report.unchanged += 1
            elif outcome == "duplicate":
                report.duplicates += 1
                report.notes.append((path, outcome, detail))
            elif outcome == "conflict":
                report.conflicts += 1
                report.notes.append((path, outcome, detail))

    # Planning: what each document of the batch is (see the module docstring).

    def _plan(self, batch):
        plan = Plan()
        known = _known_articles(batch)
        claimed_articles, claimed_keys, claimed_shas = set(), set(), set()
        for prepared in batch:
            key = (prepared.document.headline.lower(), prepared.document.author.lower())
            seen_sha, seen_article = known.files.get(prepared.path, (None, None))
            if seen_sha == prepared.sha256:
                plan.outcomes.append((prepared.path, "unchanged", ""))
                continue
            if not prepared.extracted:  # unchanged when read, but another run stored another text since
                plan.outcomes.append((prepared.path, "conflict", "another run ingested this path meanwhile: run again"))
                continue
            if prepared.sha256 in known.by_sha or prepared.sha256 in claimed_shas:
                original = known.by_sha.get(prepared.sha256)
                detail = f"same text as /articles/{original}/" if original else "same text as another file"
                plan.outcomes.append((prepared.path, "duplicate", detail))
                continue
            target = seen_article if seen_article is not None else known.by_key.get(key)
            if key in claimed_keys or (target is not None and target in claimed_articles):
                plan.deferred.append(prepared)  # two files for one story in one batch: one at a time
                continue
            claimed_keys.add(key)
            claimed_shas.add(prepared.sha256)
            if target is None:
                plan.create.append(prepared)
                continue
            claimed_articles.add(target)
            row = known.rows.get(target)
            if not self.force and row is not None and _edited_since_ingest(row):
                address = slug_path("articles:article_detail", row["slug"])
                detail = f"{address} was edited since its last ingest (--force overwrites)"
                plan.outcomes.append((prepared.path, "conflict", detail))
                continue
            plan.update.append((prepared, target))
        return plan

    # Applying: a few set-based statements per batch.

    def _apply(self, plan):
        """Write the plan; return documents that lost a race and must be planned again."""
        now = timezone.now()
        writes.commit_without_waiting_for_disk()  # a batch is re-creatable from its files
        everything = plan.create + [prepared for prepared, _ in plan.update]
        if not everything:
            return []
        if plan.update:  # they are finished in this transaction: see finish_articles()
            take_stats_lock()
        author_ids = self._upsert_authors(everything)
        created_ids, lost, raced = self._insert_articles(plan.create, author_ids, now)
        # Only what this run inserted counts as created; a concurrent run stored the raced
        # files first (their text is in the archive: unchanged), and lost ones are re-planned.
        plan.create = [p for p in plan.create if p.path in created_ids]
        plan.outcomes.extend((p.path, "unchanged", "stored by a concurrent run") for p in raced)
        updated_ids = self._update_articles(plan.update, author_ids, now)
        written = {**created_ids, **updated_ids}  # path -> article id
        by_path = {p.path: p for p in everything}
        replace_tags({pk: by_path[path].tags for path, pk in written.items()})
        replace_mentions(
            {pk: by_path[path].entities for path, pk in written.items()},
            {pk: by_path[path].reading for path, pk in written.items()},
        )
        self._record_seed_files(written, by_path, now)
        if updated_ids:  # their search entries and pages are stale now: refresh them with the batch
            changes.apply(articles=updated_ids.values())
        # Created ones are finished a chunk at a time (finish()), once the batch has committed.
        self._created_now = list(created_ids.values())
        return lost

    def _upsert_authors(self, documents):
        """Find or create every author named in `documents`; fill in new bios. Returns lower(name) -> id."""
        latest = {}
        for prepared in documents:
            doc = prepared.document
            latest[doc.author] = doc.bio
        ids = find_or_create(Author, {name: (name, None) for name in latest}, fallback_prefix="author")
        writes.update_bios([(ids[name], bio, twitter_handle_from(bio)) for name, bio in latest.items() if bio])
        return ids

    def _insert_articles(self, documents, author_ids, now):
        if not documents:
            return {}, [], []
        slugs = free_slugs(Article, [make_slug(p.document.headline, fallback_prefix="article") for p in documents])
        inserted = writes.insert_articles(
            [
                _article_row(p, author_ids, slug=slug, published_at=_published_at(p.document.published) or now)
                for p, slug in zip(documents, slugs, strict=True)
            ],
            now=now,
        )
        return _sort_inserted(documents, inserted)

    def _update_articles(self, updates, author_ids, now):
        if not updates:
            return {}
        writes.update_articles(
            [_article_row(p, author_ids, id=pk, published_at=_published_at(p.document.published)) for p, pk in updates],
            now=now,
        )
        return {prepared.path: pk for prepared, pk in updates}

    def _record_seed_files(self, written, by_path, now):
        writes.record_seed_files([(path, by_path[path].sha256, pk) for path, pk in written.items()], now=now)


def _article_row(prepared, author_ids, **columns):
    """The columns of an article as its seed file gives them (writes.insert_articles, update_articles)."""
    doc = prepared.document
    return {
        "title": doc.headline,
        "dek": doc.dek,
        "body": doc.body,
        "author_id": author_ids[doc.author],
        "source_path": prepared.path,
        "source_sha256": prepared.sha256,
        **columns,
    }


def _sort_inserted(documents, inserted):
    """(created: path -> id, lost, raced) after an INSERT ... ON CONFLICT DO NOTHING.

    A concurrent run may have stored the same text (its row wins: raced), or taken a slug
    we chose (lost: planned again).
    """
    created, lost, raced = {}, [], []
    missing = [p.sha256 for p in documents if p.sha256 not in inserted]
    stored_elsewhere = (
        set(Article.objects.filter(source_sha256__in=missing).values_list("source_sha256", flat=True))
        if missing
        else set()
    )
    for prepared in documents:
        if prepared.sha256 in inserted:
            created[prepared.path] = inserted[prepared.sha256]
        elif prepared.sha256 in stored_elsewhere:
            raced.append(prepared)
        else:
            lost.append(prepared)
    return created, lost, raced


@dataclass
class Known:
    """What the database holds that a batch's documents could be (see BatchWriter._plan)."""

    files: dict = field(default_factory=dict)  # path -> (sha256, article id) of files ingested before
    by_sha: dict = field(default_factory=dict)  # sha256 -> slug of the article with exactly that text
    by_key: dict = field(default_factory=dict)  # (lower headline, lower author) -> article id
    rows: dict = field(default_factory=dict)  # article id -> slug, edited_at, ingested_at


def _known_articles(batch):
    """Every article a document of `batch` could be, in one statement (one consistent snapshot,
    even while a concurrent run commits)."""
    known = Known()
    rows = writes.ingest_candidates(
        paths=[p.path for p in batch],
        shas=[p.sha256 for p in batch],
        titles=list({p.document.headline.lower() for p in batch}),
    )
    for how, k1, k2, article_id, slug, edited_at, ingested_at in rows:
        known.rows[article_id] = {"slug": slug, "edited_at": edited_at, "ingested_at": ingested_at}
        if how == "file":
            known.files[k1] = (k2, article_id)
        elif how == "sha":
            known.by_sha[k1] = slug
        else:
            known.by_key.setdefault((k1, k2), article_id)
    return known


def _edited_since_ingest(row):
    return row["edited_at"] is not None and (row["ingested_at"] is None or row["edited_at"] > row["ingested_at"])


class Finisher(threading.Thread):
    """Finishes chunks of committed articles (`finish_articles`) on its own database connection."""

    def __init__(self):
        super().__init__(name="ingest-finisher", daemon=True)
        self.chunks = queue.Queue(maxsize=1)  # the writer waits rather than running far ahead
        self.error = None
        self.working = False

    @property
    def idle(self):
        """Nothing to do: a chunk handed over now starts at once."""
        return not self.working and self.chunks.empty()

    def run(self):
        try:
            while (chunk := self.chunks.get()) is not None:
                if self.error is None:
                    self.working = True
                    try:
                        finish_articles(chunk)
                    except BaseException as exc:  # noqa: BLE001 -- handed to the writer's thread
                        self.error = exc
                    finally:
                        self.working = False
        finally:
            connections.close_all()  # this thread's own connection

    def submit(self, chunk):
        if self.error is not None:
            raise self.error
        self.chunks.put(chunk)

    def close(self):
        self.chunks.put(None)
        self.join()
        if self.error is not None:
            raise self.error


def finish_articles(article_ids):
    """Build the search entries and reader statistics of new articles, in one transaction.

    Idempotent: finishing an article twice (two concurrent runs) writes the same entries
    and counts it once.
    """
    article_ids = list(article_ids)
    if not article_ids:
        return
    with changes.atomic():
        # Re-creatable, like a batch: a run finishes whatever a crash left without an entry.
        writes.commit_without_waiting_for_disk()
        # The statistics' lock first, before any row: a batch that updates articles takes it
        # first too, so a finisher thread and the writer never wait on each other in a cycle.
        take_stats_lock()
        # Related articles are left to `refresh_articles --related` after the run: ranking them
        # reads a hundred index entries per entity and tag, which made an ingest 1.8 times as
        # slow (their pages work them out live meanwhile, as before they were stored).
        changes.apply(created=article_ids, related_lists=False)


def _published_at(date):
    """The publication time for a `Published:` value: midnight UTC for a bare date."""
    if date is None or isinstance(date, datetime.datetime):
        return date
    return datetime.datetime.combine(date, datetime.time(), tzinfo=datetime.UTC)


def _database_error(exc):
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return f"database refused the article: {message}"


def default_workers():
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
