"""Bulk changes to many articles: publish, unpublish, add a tag, delete.

Each function changes the articles among `article_ids` that it applies to, in one
transaction through the change path (`changes.atomic()` ... `changes.apply()`),
writes a History line for each article it changed (in the words of
articles/history.py), and returns counts. The admin's bulk actions call them
directly for a page's selection (up to `JOB_BULK_INLINE_MAX` articles), and through a job for more
(articles/jobs/kinds.py, Bulk): each part of the job calls the same function with
its share of the ids, in the part's transaction, so a part run again after its
worker was killed finds its articles changed or not, never half.

`user` is the id of the account the change is made for; `now` the moment the
editor asked (an article published undated gets it as its date, whenever the job
runs).
"""

from django.contrib.admin.models import CHANGE, DELETION, LogEntry

from . import changes, history
from .models import Article, Tag, TaggedArticle
from .writes import replace_tags

ACTIONS = ("publish", "unpublish", "add_tag", "delete")


def publish(article_ids, *, user, now):
    """Publish the drafts among `article_ids`; returns {"published", "scheduled", "already"}."""
    with changes.atomic():
        selected = Article.objects.filter(id__in=list(article_ids))
        drafts = selected.filter(status=Article.Status.DRAFT).select_for_update()
        ids = list(drafts.values_list("id", flat=True))
        changed = Article.objects.filter(id__in=ids)
        undated = list(changed.filter(published_at__isnull=True).values_list("id", flat=True))
        changed.filter(id__in=undated).update(published_at=now)
        changed.update(status=Article.Status.PUBLISHED, edited_at=now, edited_by_id=user, updated_at=now)
        changes.apply(articles=ids)
        published = history.change(
            "Status", history.status(Article.Status.DRAFT), history.status(Article.Status.PUBLISHED)
        )
        dated_now = history.change("Publication date", history.NOTHING, history.when(now))
        _log(user, changed.exclude(id__in=undated), published)
        _log(user, changed.filter(id__in=undated), history.join([published, dated_now]))
        return {
            "published": len(ids),
            "scheduled": changed.scheduled(at=now).count(),
            "already": selected.count() - len(ids),
        }


def unpublish(article_ids, *, user, now):
    """Put the published articles among `article_ids` back to draft; returns {"unpublished"}."""
    with changes.atomic():
        published = Article.objects.filter(id__in=list(article_ids), status=Article.Status.PUBLISHED)
        ids = list(published.select_for_update().values_list("id", flat=True))
        changed = Article.objects.filter(id__in=ids)
        changed.update(status=Article.Status.DRAFT, edited_at=now, edited_by_id=user, updated_at=now)
        changes.apply(articles=ids)
        statuses = (history.status(Article.Status.PUBLISHED), history.status(Article.Status.DRAFT))
        _log(user, changed, history.change("Status", *statuses))
        return {"unpublished": len(ids)}


def add_tag(article_ids, *, tag, user, now):
    """Tag the articles among `article_ids` with the tag named `tag` (created if new, found
    regardless of case); returns {"tagged"}: the articles that did not have it."""
    with changes.atomic():
        ids = sorted(Article.objects.filter(id__in=list(article_ids)).values_list("id", flat=True))
        current = {}
        for article_id, name in TaggedArticle.objects.filter(content_object_id__in=ids).values_list(
            "content_object_id", "tag__name"
        ):
            current.setdefault(article_id, []).append(name)
        lacking = [pk for pk in ids if tag.casefold() not in {t.casefold() for t in current.get(pk, [])}]
        replace_tags({pk: [*current.get(pk, []), tag] for pk in lacking})
        changed = Article.objects.filter(id__in=lacking)
        changed.update(edited_at=now, edited_by_id=user, updated_at=now)
        changes.apply(articles=lacking)
        _log(user, changed.only("id", "title"), history.tag_change([], [tag]))
        return {"tagged": len(lacking), "had_it": len(ids) - len(lacking)}


def delete(article_ids, *, user, now):
    """Delete the articles among `article_ids`, each recorded in the admin's log; returns {"deleted"}.

    Their mentions, taggings, search entries and old addresses go with them (CASCADE)."""
    with changes.atomic():
        articles = list(Article.objects.filter(id__in=list(article_ids)).select_for_update().only("id", "title"))
        ids = [article.pk for article in articles]
        _log(user, articles, "", flag=DELETION)
        Article.objects.filter(id__in=ids).delete()
        changes.apply(articles=ids)
        return {"deleted": len(ids)}


def tag_exists(name):
    return Tag.objects.filter(name__iexact=name).exists()


def run(action, article_ids, **options):
    """One of ACTIONS by its name (a job's part names it in its parameters)."""
    if action not in ACTIONS:
        raise ValueError(f"no bulk action named {action!r}")
    return globals()[action](article_ids, **options)


def _log(user, queryset, message, *, flag=CHANGE):
    """One History entry per changed article, written in one statement."""
    rows = list(queryset)
    if rows and user is not None:
        LogEntry.objects.log_actions(user, rows, flag, change_message=message)
