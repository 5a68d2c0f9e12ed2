"""What an article's History says: each change with its value before and after.

Django's admin records "Changed Status." for a save; editors need to know from what to
what. These functions build the text of a LogEntry's change message, stored as plain
text (the admin shows a message that is not JSON as it stands):

    Status: Draft → Published; Publication date: — → 4 Dec 09:00
    Headline: “Old words” → “New words”; Tags: + energy − oil; Entities: + Berlin

The single save (ArticleAdmin.construct_change_message) and the bulk actions use the
same wording, so a change reads the same however it was made.
"""

from django.utils import timezone
from django.utils.formats import date_format

from .models import Article

NOTHING = "—"
SHORT_TEXT = 80  # longer texts (dek, body) are reported as edited, without their words
FIELD_LABELS = {"status": "Status", "published_at": "Publication date", "tags": "Tags"}


def when(value, *, now=None):
    """A date as the History shows it: "3 Dec 10:00", with the year when it is not this year's."""
    if value is None:
        return NOTHING
    local = timezone.localtime(value)
    this_year = timezone.localtime(now or timezone.now()).year
    return date_format(local, "j M H:i" if local.year == this_year else "j M Y H:i")


def compact_date(value):
    """ "3 Dec 10:00" this year, "3 Dec 2024" before: short enough to stay on one line."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return date_format(local, "j M H:i" if local.year == timezone.localtime().year else "j M Y")


def changed_by(article):
    """Who wrote the article's current version: its last editor, or "ingest" when a seed file did."""
    edited, ingested = article.edited_at, article.ingested_at
    if edited and (ingested is None or edited >= ingested):
        return article.edited_by.get_username() if article.edited_by else "a former account"
    return "ingest" if ingested else "—"


def status(value):
    return Article.Status(value).label if value else NOTHING


def change(label, before, after):
    """ "Label: before → after"."""
    return f"{label}: {before} → {after}"


def tag_change(before, after):
    """ "Tags: + energy − oil", tags compared regardless of case; "" when the same."""
    old = {name.casefold(): name for name in before}
    new = {name.casefold(): name for name in after}
    added = [new[key] for key in new if key not in old]
    removed = [old[key] for key in old if key not in new]
    return _plus_minus("Tags", added, removed)


def entity_change(before, after):
    """ "Entities: + Vilnius − Paris" between two sets of entity names, each in name order; "" when the same."""
    return _plus_minus("Entities", sorted(set(after) - set(before)), sorted(set(before) - set(after)))


def entity_form_changes(form):
    """The change message of an entity saved through its change form: "Aliases: + Ayia Napa − Agia Napa",
    "Name: “Napa” → “Ayia Napa”", "Kind: Place → Organisation"; "" when nothing changed."""
    parts = []
    for name in form.changed_data:
        before, after = form.initial.get(name), form.cleaned_data.get(name)
        label = str(form[name].label)
        if name == "aliases":
            old, new = list(before or []), list(after or [])
            parts.append(_plus_minus(label, [a for a in new if a not in old], [a for a in old if a not in new]))
        elif name == "kind":
            kinds = dict(form.fields[name].choices)
            parts.append(change(label, kinds.get(before, NOTHING), kinds.get(after, NOTHING)))
        else:
            parts.append(change(label, f"“{before}”" if before else NOTHING, f"“{after}”" if after else NOTHING))
    return join(parts)


def _plus_minus(label, added, removed):
    words = [f"+ {name}" for name in added] + [f"− {name}" for name in removed]
    return f"{label}: {' '.join(words)}" if words else ""


def join(parts):
    return "; ".join(part for part in parts if part)


def form_changes(form, formsets):
    """The change message of an article saved through its change form (after saving)."""
    parts = []
    for name, field in form.fields.items():
        before = form.initial.get(name)
        after = form.saved_tag_names if name == "tags" else form.cleaned_data.get(name)
        if name == "tags":
            parts.append(tag_change([getattr(tag, "name", tag) for tag in before or []], after or []))
        elif _differs(before, after):
            parts.append(_field_change(name, field, before, after))
    parts.append(mention_changes(formsets))
    return join(parts)


def _differs(before, after):
    if hasattr(after, "pk"):  # a related row: the form's initial value is its key
        after = after.pk
    if isinstance(before, str) or isinstance(after, str):
        return (before or "") != (after or "")
    return before != after


def _field_change(name, field, before, after):
    label = FIELD_LABELS.get(name) or str(field.label)
    if name == "status":
        return change(label, status(before), status(after))
    if name == "published_at":
        return change(label, when(before), when(after))
    if name == "author":
        old = field.queryset.filter(pk=before).first() if before else None
        return change(label, old or NOTHING, after or NOTHING)
    if isinstance(after, bool):
        return change(label, "yes" if before else "no", "yes" if after else "no")
    if len(before or "") > SHORT_TEXT or len(after or "") > SHORT_TEXT or "\n" in (after or ""):
        return f"{label}: edited"
    return change(label, f"“{before}”" if before else NOTHING, f"“{after}”" if after else NOTHING)


def mention_changes(formsets):
    """ "Entities: + Berlin − Paris; Berlin: 1 → 3 mentions" from the entity rows of a change form."""
    added, removed, counts = [], [], []
    for formset in formsets:
        if not hasattr(formset, "new_objects"):
            continue  # not saved
        initial = {form.instance.pk: form.initial for form in formset.initial_forms}
        added += [str(obj.entity) for obj in formset.new_objects]
        removed += [str(obj.entity) for obj in formset.deleted_objects]
        for obj, fields in formset.changed_objects:
            old = initial.get(obj.pk, {})
            if "entity" in fields:
                added.append(str(obj.entity))
                removed.append(_entity_name(formset, old.get("entity")))
            elif "count" in fields:
                counts.append(change(str(obj.entity), old.get("count", NOTHING), f"{obj.count} mentions"))
    return join([_plus_minus("Entities", added, removed), *counts])


def _entity_name(formset, pk):
    entity = formset.model._meta.get_field("entity").related_model.objects.filter(pk=pk).first()
    return str(entity) if entity else NOTHING
