"""The kinds of job: how each splits its work into parts, runs a part, and sums up.

Each part calls the same functions a request or a command would (re-linking in
articles/entities/relink.py, extraction, ingest), inside the transaction the runner
opens for it, and those end with the change path (articles/changes.py).
"""

import dataclasses
import io

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.utils.translation import ngettext

from .. import changes, pagecache, parts, related
from ..entities.relink import articles_to_relink, reextract, relink
from ..entities.stored import load_vocabulary
from ..history import entity_change, join
from ..models import Article, Entity, Mention
from ..restore import import_articles
from .base import Kind, split
from .curation import Bulk, Merge
from .ingest import Ingest, LinkNew, link_new_after
from .models import JobFile


def entity_names(article_ids):
    """{article id: set of the names of the entities it mentions}."""
    names = {}
    for article_id, name in Mention.objects.filter(article_id__in=list(article_ids)).values_list(
        "article_id", "entity__name"
    ):
        names.setdefault(article_id, set()).add(name)
    return names


class Relink(Kind):
    """Match the curated vocabulary again over the articles that could mention some entities
    (params: entity_ids), over some articles (article_ids: a renamed author's), or over the
    whole archive (entity_ids: null, no article_ids)."""

    name = "relink"

    def plan(self, job):
        if job.params.get("article_ids") is not None:
            return split(sorted(job.params["article_ids"]), settings.JOB_RELINK_PART)
        articles = articles_to_relink(job.params.get("entity_ids"))
        if articles is None:
            return []  # the entities were deleted meanwhile
        if not isinstance(articles, list):
            articles = articles.order_by("pk").values_list("pk", flat=True)
        return split(articles, settings.JOB_RELINK_PART)

    def run(self, job, params):
        report = relink(article_ids=params["ids"], vocabulary=load_vocabulary())
        return report.as_dict()

    def history(self, job):
        r = job.result
        return (
            ngettext(
                "Re-linked {n:,} article that could mention it: ",
                "Re-linked {n:,} articles that could mention it: ",
                r.get("articles", 0),
            ).format(n=r.get("articles", 0))
            + f"{r.get('changed', 0):,} changed "
            f"({r.get('added', 0):,} mentions added, {r.get('removed', 0):,} removed, "
            f"{r.get('updated', 0):,} recounted)."
        )


class Reextract(Kind):
    """Extract the entities of some articles again, with the statistical model (params: ids).

    Entities this creates are then linked to the other stored articles that name
    them, as after an ingest. Articles whose entities editors pinned are left as they are. Each
    article whose entities changed gets a line in its History saying how ("Entities: + Vilnius");
    with `log` (the bulk action) every re-extracted article gets one, changed or not.
    """

    name = "reextract"

    def plan(self, job):
        # The entities the model finds now are linked to other stored articles when the job ends.
        job.params["known_entities"] = Entity.objects.order_by("-id").values_list("id", flat=True).first() or 0
        job.save(update_fields=["params"])
        return split(sorted(job.params["ids"]), settings.JOB_REEXTRACT_PART)

    def run(self, job, params):
        ids = params["ids"]
        before = entity_names(ids)
        done = reextract(ids)
        changes.apply(articles=ids)
        if job.requested_by_id and done:
            self.log(job, done, before, entity_names(done))
        return {"reextracted": len(done), "skipped": len(ids) - len(done)}

    def log(self, job, done, before, after):
        """Each article's History line: what its entities became (an article's save said the rest)."""
        for article in Article.objects.filter(id__in=done).order_by("pk"):
            change = entity_change(before.get(article.pk, ()), after.get(article.pk, ()))
            if job.params.get("log"):
                change = join(["Re-extracted entities", change]) + "."
            if change:
                LogEntry.objects.log_actions(job.requested_by_id, [article], CHANGE, change)

    def after(self, job):
        """Entities this extraction created, linked to the other stored articles that name them (`link_new`)."""
        follow_up = link_new_after(job, job.params.get("known_entities"))
        if follow_up is not None:
            job.refresh_from_db(fields=["result"])
            job.result["link_new_job"] = follow_up.pk
            job.save(update_fields=["result"])

    def history(self, job):
        """For a job with a target (an author merge's articles): what was re-extracted."""
        done, skipped = job.result.get("reextracted", 0), job.result.get("skipped", 0)
        line = ngettext(
            "Re-extracted the entities of {n:,} article", "Re-extracted the entities of {n:,} articles", done
        ).format(n=done)
        if skipped:
            line += ngettext(
                "; {n:,} left as it was (entities edited by hand)",
                "; {n:,} left as they were (entities edited by hand)",
                skipped,
            ).format(n=skipped)
        return line + "."


class Import(Kind):
    """Restore an uploaded `export_articles` file (a JobFile) into an empty archive: `import_articles`
    (articles/restore.py) in one part, one transaction, as the command does: a malformed line or a
    database that has articles fails it with the reason, and nothing is written. Each restored
    article's History says where it came from."""

    name = "import"

    def plan(self, job):
        upload = job.files.get()
        return [({"file": upload.pk}, job.params.get("lines", 0))]

    def run(self, job, params):
        upload = JobFile.objects.get(pk=params["file"])
        report = import_articles(io.StringIO(bytes(upload.data).decode("utf-8")))
        if job.requested_by_id:
            LogEntry.objects.log_actions(
                job.requested_by_id,
                list(Article.objects.only("id", "title").order_by("pk")),
                ADDITION,
                f"Restored from the export “{upload.name}” (job {job.pk}).",
            )
        return dataclasses.asdict(report)

    def after(self, job):
        job.files.all().delete()  # what was uploaded is in the archive now (or failed: the job says why)


class Parts(Kind):
    """Render the page parts (articles/parts.py) of the articles `ids`, or of every public article
    whose parts are missing or stale (no ids: after an ingest, a deploy, `refresh_articles
    --parts --enqueue`), choosing first the related articles of those that have none stored."""

    name = "parts"

    def plan(self, job):
        ids = job.params.get("ids")
        return split(parts.missing_or_stale() if ids is None else ids, settings.JOB_PARTS_PART)

    def run(self, job, params):
        # In the part's transaction (the runner's changes.atomic()).
        chosen = related.choose_related(related.without_list(params["ids"]))
        rendered = parts.render_stored(params["ids"])
        pagecache.invalidate({pagecache.key("article", pk) for pk in params["ids"]})
        return {"related": chosen, "rendered": rendered}


def kinds():
    every = (Relink(), Reextract(), Import(), Ingest(), LinkNew(), Merge(), Bulk(), Parts())
    return {kind.name: kind for kind in every}


def kind_of(job):
    try:
        return kinds()[job.kind]
    except KeyError:
        raise ValueError(f"no kind of job named {job.kind!r}") from None
