"""Editors' long operations as jobs: merges of entities, tags and authors, and bulk changes to articles.

Merge: the articles the merged rows point at are moved in parts (`merge.move_part`,
one transaction each, which moves nothing twice); when the last part is done, the
merge function a direct caller would use (`merge.merge_tags`…) runs in its
transaction: it moves what the parts did not (articles linked to a merged row
meanwhile), deletes the merged rows and redirects their addresses. The survivor's
History then says what was merged and how much moved, and each merged row's says
where it went. A part that failed leaves the merge unfinished: what moved stays
moved, the merged rows stay, and merging them again moves the rest.

Bulk: the articles' ids in parts, each handed to the function of articles/bulk.py
that the admin calls for a small selection.
"""

from django.conf import settings
from django.contrib.admin.models import DELETION, LogEntry
from django.utils.dateparse import parse_datetime
from django.utils.translation import ngettext

from .. import bulk, merge
from ..models import Author, Entity, Tag
from .base import Kind, split
from .models import State
from .queue import enqueue

MODELS = {"entity": Entity, "tag": Tag, "author": Author}
MOVED = {  # what a merge moves, singular and plural
    "entity": ("article mention", "article mentions"),
    "tag": ("tagged article", "tagged articles"),
    "author": ("article", "articles"),
}


def enqueue_merge(survivor, others, *, requested_by=None):
    """Queue the merge of `others` into `survivor`; returns (the Job, how many articles it moves).

    Raises MergeError when there is nothing to merge."""
    model = type(survivor)
    key = next(name for name, m in MODELS.items() if m is model)
    others = sorted((o for o in others if o.pk != survivor.pk), key=lambda o: o.pk)
    if not others:
        raise merge.MergeError(f"choose at least one other {model._meta.verbose_name} to merge into {survivor}")
    articles = merge.count_articles_to_move(model, [o.pk for o in others])
    names = [o.name for o in others]
    job = enqueue(
        "merge",
        description=f"Merge {', '.join(f'“{n}”' for n in names)} into the {model._meta.verbose_name} “{survivor}”"[
            :300
        ],
        params={"model": key, "survivor": survivor.pk, "others": [o.pk for o in others], "names": names},
        requested_by=requested_by,
        target=survivor,
    )
    return job, articles


class Merge(Kind):
    """Merge rows into a survivor (params: model, survivor, others, names)."""

    name = "merge"

    def plan(self, job):
        model = MODELS[job.params["model"]]
        _rows(job)  # MergeError (the job fails with its reason) if a row was deleted meanwhile
        return split(merge.articles_to_move(model, job.params["others"]), settings.JOB_MERGE_PART)

    def run(self, job, params):
        survivor, others = _rows(job)
        return {"moved": merge.move_part(survivor, others, params["ids"])}

    def after(self, job):
        """Finish the merge (in the last part's transaction) once every part is done."""
        if job.state != State.DONE:
            return
        try:
            survivor, others = _rows(job)
            result = merge.MERGES[type(survivor)](survivor, others)
        except merge.MergeError as exc:
            job.state, job.error = State.FAILED, f"could not be finished: {exc}"
            job.save(update_fields=["state", "error"])
            return
        job.result["moved"] = job.result.get("moved", 0) + result.moved
        job.save(update_fields=["result"])
        if job.requested_by_id:
            LogEntry.objects.log_actions(
                job.requested_by_id, others, DELETION, change_message=f"Merged into “{survivor}”."
            )
        _follow_up(job, survivor, result.article_ids)

    def history(self, job):
        key, names = job.params["model"], ", ".join(f"“{n}”" for n in job.params["names"])
        noun = MODELS[key]._meta.verbose_name
        moved = job.result.get("moved", 0)
        if job.state == State.DONE:
            return f"Merged {names} into this {noun} ({moved:,} {ngettext(*MOVED[key], moved)} moved)."
        return (
            f"Merging {names} into this {noun} stopped after {job.done:,} of {job.total or 0:,} articles: "
            f"what moved stays moved; merge them again to move the rest"
        )


def _rows(job):
    """The survivor and the rows to merge, as they are now (MergeError if one was deleted)."""
    model = MODELS[job.params["model"]]
    ids = [job.params["survivor"], *job.params["others"]]
    rows = model.objects.in_bulk(ids)
    missing = [pk for pk in ids if pk not in rows]
    if missing:
        raise merge.MergeError(
            f"{len(missing)} of the {model._meta.verbose_name_plural} to merge no longer exist (ids {missing})"
        )
    return rows[ids[0]], [rows[pk] for pk in ids[1:]]


def _follow_up(job, survivor, last_moved):
    """What a merge sets off once done: an entity's survivor is re-linked (its new aliases), an
    author's moved articles re-extracted (the byline is a person of each); both write its History."""
    requested_by = job.requested_by if job.requested_by_id else None
    if isinstance(survivor, Entity):
        enqueue(
            "relink",
            description=f"Re-link the articles that could mention “{survivor}”",
            params={"entity_ids": [survivor.pk]},
            requested_by=requested_by,
            target=survivor,
        )
    elif isinstance(survivor, Author):
        ids = sorted({*_moved_ids(job), *last_moved})
        if ids:
            enqueue(
                "reextract",
                description=ngettext(
                    "Re-extract the entities of {n:,} article now by “{author}”",
                    "Re-extract the entities of {n:,} articles now by “{author}”",
                    len(ids),
                ).format(n=len(ids), author=survivor),
                params={"ids": ids, "log": False},
                requested_by=requested_by,
                target=survivor,
            )


def _moved_ids(job):
    return [pk for params in job.part_set.values_list("params", flat=True) for pk in params.get("ids", [])]


BULK_WORDS = {  # the job's description: (singular, plural), with {n} and {tag}
    "publish": ("Publish {n:,} article", "Publish {n:,} articles"),
    "unpublish": ("Unpublish {n:,} article", "Unpublish {n:,} articles"),
    "add_tag": ("Tag {n:,} article “{tag}”", "Tag {n:,} articles “{tag}”"),
    "delete": ("Delete {n:,} article", "Delete {n:,} articles"),
}


def enqueue_bulk(action, article_ids, *, user, now, **options):
    """Queue one of articles/bulk.py's ACTIONS over `article_ids` for the account `user`; returns the Job."""
    ids = sorted({int(pk) for pk in article_ids})
    description = ngettext(*BULK_WORDS[action], len(ids)).format(n=len(ids), **options)
    params = {"action": action, "ids": ids, "user": user.pk, "now": now.isoformat(), "options": options}
    return enqueue("bulk", description=description, params=params, requested_by=user)


class Bulk(Kind):
    """A bulk change to articles (params: action, ids, user, now, options): articles/bulk.py."""

    name = "bulk"

    def plan(self, job):
        return split(job.params["ids"], settings.JOB_BULK_PART)

    def run(self, job, params):
        p = job.params
        now = parse_datetime(p["now"])
        return bulk.run(p["action"], params["ids"], user=p["user"], now=now, **p.get("options", {}))
