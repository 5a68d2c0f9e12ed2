"""The archive's data: articles, their authors, tags and the entities they mention.

Query rules (what the public may see, what a page needs prefetched) live on the
QuerySets here; views, feeds, sitemaps, the admin and commands call them.
"""

import functools
import hashlib
import operator
import re

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Count, Exists, F, Func, OuterRef, Q, Subquery, Window
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import JSONObject, Lower, Now, RowNumber
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from .entities.junk import junk_reason
from .routes import slug_path
from .textcleanup import without_markup

SLUG_MAX_LENGTH = 80

# Related articles: how many of the newest articles per shared entity or tag are considered.
RELATED_CANDIDATES_PER_FACET = 100

# Latin letters that Unicode decomposition does not reduce to ASCII.
_TRANSLITERATE = str.maketrans(
    {
        "Ł": "L",
        "ł": "l",
        "Ø": "O",
        "ø": "o",
        "Đ": "D",
        "đ": "d",
        "ß": "ss",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Þ": "Th",
        "þ": "th",
        "ı": "i",
        "Ð": "D",
        "ð": "d",
        "Ħ": "H",
        "ħ": "h",
    }
)

# An @handle that is not part of an e-mail address or a longer word.
TWITTER_HANDLE_RE = re.compile(r"(?<![\w@.])@([A-Za-z0-9_]{1,15})(?![\w@])")


def make_slug(text, *, fallback_prefix, max_length=SLUG_MAX_LENGTH):
    """An ASCII slug for `text`, cut at a word boundary.

    Text with no Latin letters or digits (an emoji-only headline, say) still gets
    a usable, stable slug: `fallback_prefix` plus a short hash of the text.
    """
    full = slugify(without_markup(text).translate(_TRANSLITERATE))  # "<b>Floods</b>" -> floods
    slug = full[:max_length].rstrip("-")
    if len(full) > max_length and full[len(slug) : len(slug) + 1] not in ("-", "") and "-" in slug:
        slug = slug.rsplit("-", 1)[0]  # do not cut a word in half
    if not slug:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        slug = f"{fallback_prefix}-{digest}"
    return slug


# kB of pending entries GIN indexes over long texts collect before merging them (PostgreSQL's default: 4 MB).
BULK_GIN_PENDING_KB = 32 * 1024


def unique_slug(base, taken):
    """`base`, or `base-2`, `base-3`… : the first not in the set `taken`."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def taken_slugs(model, bases):
    """Slugs of `model` rows that could clash with any of `bases`, old addresses included.

    An old address (SlugRedirect) of another row is taken too: a new row there would
    silently end the redirect readers follow to the story that left it. One indexed
    lookup for the bases themselves; only bases already taken need a second (prefix,
    also indexed) lookup for their numbered variants.
    """
    bases = set(bases)
    if not bases:
        return set()
    taken = _slugs_in_use(model, lambda field: Q(**{f"{field}__in": bases}))
    if taken:
        numbered = re.compile(r"^(?:" + "|".join(re.escape(b) for b in taken) + r")-[0-9]+$")

        def variants(field):
            condition = Q()
            for base in taken:
                condition |= Q(**{f"{field}__startswith": f"{base}-"})
            return condition

        taken |= {slug for slug in _slugs_in_use(model, variants) if numbered.match(slug)}
    return taken


def _slugs_in_use(model, condition):
    """Slugs of `model` rows and old addresses of its kind matching condition(field name)."""
    slugs = set(model._default_manager.filter(condition("slug")).values_list("slug", flat=True))
    kind = SlugRedirect.KIND_OF_MODEL.get(model)
    if kind is not None:
        old = SlugRedirect.objects.filter(condition("old_slug"), kind=kind).values_list("old_slug", flat=True)
        slugs.update(old)
    return slugs


def free_slugs(model, bases):
    """A free slug of `model` for each of `bases`, in order, none of them repeated."""
    taken = taken_slugs(model, bases)
    slugs = []
    for base in bases:
        slug = unique_slug(base, taken)
        taken.add(slug)
        slugs.append(slug)
    return slugs


def twitter_handle_from(text):
    """The first @handle in `text`, without the @, or ""."""
    match = TWITTER_HANDLE_RE.search(text or "")
    return match.group(1) if match else ""


class SearchKey(Func):
    """newsroom_search_key(text): lower case, accents and dots removed, other punctuation as spaces.

    "U.S." and "us", "São Paulo" and "sao paulo" have one key. The SQL function is
    IMMUTABLE (it uses a fixed unaccent dictionary), so it can be indexed; it is
    created by migration 0006_search.
    """

    function = "newsroom_search_key"
    output_field = models.TextField()


class SearchKeys(Func):
    """newsroom_search_keys(name, kind, aliases): the SearchKeys an entity can be searched by.

    Its name, each alias, and for a person the surname alone ("putin").
    """

    function = "newsroom_search_keys"
    output_field = ArrayField(models.TextField())


class AuthorQuerySet(models.QuerySet):
    def in_use(self):
        """Authors with public articles, each with `stats` (article_count) loaded."""
        return self.filter(stats__article_count__gt=0).select_related("stats")


def former_names_field(max_length, help_text):
    """The names an editor renamed a row from (authors and tags), kept so that later ingests file a
    seed's old name under the renamed row (writes.find_or_create)."""
    return ArrayField(
        models.CharField(max_length=max_length),
        default=list,
        db_default=Func(template="'{}'"),  # rows inserted by raw SQL (writes.find_or_create) have none too
        blank=True,
        editable=False,
        help_text=help_text,
    )


class Author(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH + 10, unique=True)
    bio = models.TextField(blank=True, help_text="A sentence or two about the author, shown under their articles.")
    twitter = models.CharField(
        "Twitter/X handle",
        max_length=15,
        blank=True,
        help_text="Without the @. Filled from the bio when it carries an @handle.",
    )
    former_names = former_names_field(
        200, "Names an editor renamed the author from: a seed file's byline in one of them is theirs."
    )
    # Set when an editor changes the bio or handle in the admin: ingest then keeps them (a seed
    # file's bio no longer replaces what an editor wrote).
    bio_edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="author_unique_name_ci"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.twitter:
            self.twitter = twitter_handle_from(self.bio)
        if not self.slug:
            self.slug = unique_slug(
                make_slug(self.name, fallback_prefix="author"),
                taken_slugs(Author, [make_slug(self.name, fallback_prefix="author")]),
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_path("articles:author_detail", self.slug)

    @property
    def twitter_url(self):
        return f"https://x.com/{self.twitter}" if self.twitter else ""


class EntityQuerySet(models.QuerySet):
    def in_use(self):
        """Entities that public articles mention, each with `stats` (article_count) loaded."""
        return self.filter(stats__article_count__gt=0).select_related("stats")

    def for_page(self, *, appears_with=12):
        """What an entity's page shows besides its articles, beside each entity in the same query:
        the `appears_with` entities most often mentioned with it (`pair_rows`: JSON objects with
        the other's id, name, slug and the count) and its public articles per month (`month_list`
        and `count_list`, in month order).

        One query instead of three: on an entity page rendered cold, each query's round trip and
        the ORM's work around it cost more than the rows themselves.
        """
        pairs = EntityPair.objects.filter(entity=OuterRef("pk")).order_by("-count", "other_id")[:appears_with]
        months = EntityMonth.objects.filter(entity=OuterRef("pk")).order_by("month")
        return self.annotate(
            pair_rows=ArraySubquery(
                pairs.values(json=JSONObject(id="other_id", name="other__name", slug="other__slug", count="count"))
            ),
            month_list=ArraySubquery(months.values("month")),
            count_list=ArraySubquery(months.values("count")),
        )

    def top_per_kind(self, limit):
        """The `limit` most mentioned entities of each kind, in one query.

        Each carries `kind_total`, how many entities of its kind are in use.
        """
        ranked = self.in_use().annotate(
            rank=Window(RowNumber(), partition_by=F("kind"), order_by=[F("stats__article_count").desc(), F("name")]),
            kind_total=Window(Count("pk"), partition_by=F("kind")),
        )
        return ranked.filter(rank__lte=limit).order_by("kind", "rank")


class Entity(models.Model):
    class Kind(models.TextChoices):
        PERSON = "PERSON", "Person"
        PLACE = "PLACE", "Place"
        ORG = "ORG", "Organisation"

    name = models.CharField(
        max_length=200,
        help_text="The canonical full name, e.g. “Vladimir Putin”, “United States”, “European Union”.",
    )
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH + 10, unique=True)
    kind = models.CharField(max_length=6, choices=Kind.choices)
    aliases = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        help_text="Other names that refer to this entity (“Putin”, “US”, “U.S.”), one per line. "
        "Articles that use them are linked to this entity.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "kind", name="entity_unique_name_kind_ci"),
        ]
        indexes = [
            models.Index(fields=["kind", "name"], name="entity_kind_name_idx"),
            # Search: "does the query name this entity?" and "did you mean…?" (see articles/search.py).
            GinIndex(SearchKeys(F("name"), F("kind"), F("aliases")), name="entity_search_keys_idx"),
            GinIndex(OpClass(SearchKey(F("name")), name="gin_trgm_ops"), name="entity_name_trgm_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            base = make_slug(self.name, fallback_prefix="entity")
            self.slug = unique_slug(base, taken_slugs(Entity, [base]))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_path("articles:entity_detail", self.slug)

    def clean(self):
        reason = junk_reason(self.name or "", self.kind or None)
        if self.name and reason is not None:
            raise ValidationError({"name": f"Not a name readers could look up: {reason}."})


class RejectedName(models.Model):
    """A name editors deleted as no entity: extraction never makes an entity of it again.

    Deleting an entity alone does not last: the next re-link or ingest finds the name in
    the same text and creates it anew. The admin's delete records the name here (its
    confirmation offers it), and extraction reads these names with the vocabulary
    (`entities.stored.load_vocabulary`, `Vocabulary.is_rejected`). An entity of the name wins:
    adding or renaming one in the admin lifts the rejection.
    """

    name = models.CharField(
        max_length=200,
        help_text="Found in articles, never made an entity (whatever its case). "
        "Delete the row to let extraction find it again.",
    )
    rejected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="rejectedname_unique_name_ci")]

    def __str__(self):
        return self.name


class TagQuerySet(models.QuerySet):
    def in_use(self):
        """Tags on public articles, each with `stats` (article_count) loaded."""
        return self.filter(stats__article_count__gt=0).select_related("stats")


class Tag(TagBase):
    """A topic label; names are unique regardless of case."""

    former_names = former_names_field(
        100, "Names an editor renamed the tag from: a seed file's tag in one of them is this one."
    )

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_unique_name_ci")]
        indexes = [GinIndex(OpClass(SearchKey(F("name")), name="gin_trgm_ops"), name="tag_name_trgm_idx")]

    def slugify(self, tag, i=None):
        slug = make_slug(tag, fallback_prefix="tag")
        return f"{slug}-{i}" if i is not None else slug

    def get_absolute_url(self):
        return slug_path("articles:tag_detail", self.slug)


class TaggedArticle(TaggedItemBase):
    """The link between an article and one of its tags (a plain foreign key, not generic)."""

    # No single-column indexes: taggedarticle_unique_pair leads with the article, taggedarticle_tag_idx
    # with the tag, and every index costs each of the many rows an ingest writes.
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="taggings", db_index=False)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="taggings", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="taggedarticle_unique_pair"),
        ]
        indexes = [models.Index(fields=["tag", "content_object"], name="taggedarticle_tag_idx")]


class Searchable(models.Func):
    """newsroom_searchable(text): the text in capitals, as the admin's search indexes it.

    A PL/pgSQL function (created by migration 0003_admin) rather than UPPER() itself:
    declared expensive, it steers the planner to the trigram indexes. With UPPER() the
    planner, which does not count reading long bodies out of TOAST storage, chose to
    scan every article instead (2.7 s against 0.09 s over 20,000 articles).
    """

    function = "newsroom_searchable"
    output_field = models.TextField()


@models.CharField.register_lookup
@models.TextField.register_lookup
class SearchableContains(models.Lookup):
    """`field__searchable="wind farm"`: contains the text, regardless of case, using the trigram index."""

    lookup_name = "searchable"

    def get_db_prep_lookup(self, value, connection):
        return "%s", ["%" + connection.ops.prep_for_like_query(value) + "%"]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = compiler.compile(Searchable(self.lhs))
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE UPPER({rhs})", [*lhs_params, *rhs_params]


def _tag_rows():
    """An article's tags by name as a column: a JSON array of (id, name, slug), read by `listing_tags`.

    A column rather than a prefetch: on a listing rendered cold, the prefetch's second query
    and the two model instances per tag it builds cost more than the tags themselves.
    """
    # Each tag read by its primary key (a scalar subquery), not joined: PostgreSQL would hash
    # the whole tags table once per article of the listing.
    tag = (
        Tag.objects.filter(pk=OuterRef("tag_id")).order_by().values(json=JSONObject(id="id", name="name", slug="slug"))
    )
    tags = TaggedArticle.objects.filter(content_object=OuterRef("pk")).annotate(tag_json=Subquery(tag))
    return ArraySubquery(tags.order_by(KeyTextTransform("name", "tag_json")).values("tag_json"))


def _public(at=None):
    """The site's one visibility rule, as a condition: published, and not scheduled for later
    than `at` (default: now). Read through ArticleQuerySet.published()/unpublished(), in raw
    SQL through public_sql(), and on a loaded row through Article.is_public (`_holds`)."""
    return Q(status=Article.Status.PUBLISHED, published_at__lte=Now() if at is None else at)


_PYTHON_LOOKUPS = {"exact": operator.eq, "lte": operator.le}


def _holds(condition, row):
    """Whether the loaded values of `row` meet `condition`, an AND of `field=value` and
    `field__lte=value` terms (the visibility rule's shape); a None meets none, as in SQL."""
    for term, value in condition.children:
        name, _, lookup = term.partition("__")
        actual = getattr(row, name)
        if actual is None or not _PYTHON_LOOKUPS[lookup or "exact"](actual, value):
            return False
    return True


class ArticleQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """Articles the public may see: published, and not scheduled for later (than `at`, default now).

        Every public page, feed, sitemap, search and count goes through it (or public_sql()).
        """
        return self.filter(_public(at))

    def unpublished(self, *, at=None):
        """What published() leaves out: drafts and scheduled articles (as of `at`, default now)."""
        return self.exclude(_public(at))

    def scheduled(self, *, at=None):
        """Published articles whose publication time has not come yet (by `at`, default now)."""
        return self.filter(status=Article.Status.PUBLISHED).unpublished(at=at)

    def newest_first(self):
        return self.order_by("-published_at", "-id")

    def for_listing(self):
        """What an article card shows: author and tags (as `listing_tags`), in the same query."""
        return self.select_related("author").annotate(tag_rows=_tag_rows())

    def for_detail(self):
        """What the article page shows, in one query: the article with its author and, as arrays
        of JSON beside it, its tags, its entities with their mention counts and its related
        articles (the stored list's public ones, articles/related.py). Read through
        `listing_tags`, `entity_mentions` and `related.related_articles()`.

        One query instead of four: on a page rendered cold, each query's round trip and the
        ORM's work around it cost more than the rows themselves.
        """
        from .related import related_rows

        mentions = Mention.objects.filter(article=OuterRef("pk")).order_by("-count", "entity__name")
        return self.select_related("author", "related_list").annotate(
            tag_rows=_tag_rows(),
            mention_rows=ArraySubquery(
                mentions.values(
                    json=JSONObject(
                        id="id",
                        entity_id="entity_id",
                        count="count",
                        name="entity__name",
                        slug="entity__slug",
                        kind="entity__kind",
                    )
                )
            ),
            related_rows=related_rows(),
        )

    def with_tag(self, tag):
        """Articles carrying `tag`, newest first, read from the dated PublicTagging index."""
        return self.filter(public_taggings__tag=tag).order_by(
            "-public_taggings__published_at", "-public_taggings__article_id"
        )

    def mentioning(self, entity):
        """Articles that mention `entity`, newest first, read from the dated PublicMention index."""
        return self.filter(public_mentions__entity=entity).order_by(
            "-public_mentions__published_at", "-public_mentions__article_id"
        )

    def related_to(self, article, *, limit=5, per_facet=RELATED_CANDIDATES_PER_FACET):
        """Public articles sharing the most entities and tags with `article`, newest first among equals.

        Candidates are the `per_facet` newest public articles for each of the
        article's entities and tags (an index range each), so the cost stays flat
        for articles that mention entities found in a third of the archive; for
        rarer entities and tags every article is a candidate. One query.
        """
        from .related import ranked_live

        return ranked_live(article.pk, limit=limit, per_facet=per_facet)


def public_sql(alias, *, at=None):
    """published() as a SQL condition on the table known as `alias` in raw SQL.

    The articles table, or a table that copies its `status` and `published_at` (the search
    entries). Compiled from the QuerySet, so raw SQL applies the very same rule; the values
    are quoted by the database driver (mogrify), so the text is safe to put in a statement.
    """
    if at is None:
        return _public_sql(alias)
    return _compile_public(alias, at)


@functools.cache
def _public_sql(alias):
    return _compile_public(alias, None)


def _compile_public(alias, at):
    connection = connections["default"]
    query = Article.objects.published(at=at).query
    sql, params = query.where.as_sql(query.get_compiler(connection=connection), connection)
    sql = sql.replace(connection.ops.quote_name(Article._meta.db_table) + ".", f"{alias}.")
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params).decode()


@functools.cache
def in_use_sql(model, alias):
    """`model.objects.in_use()` (authors, tags, entities with public articles) as a SQL condition
    on the table known as `alias` in raw SQL; compiled from the QuerySet, like public_sql()."""
    connection = connections["default"]
    sql, params = model.objects.in_use().order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        return f"{alias}.id IN ({cursor.mogrify(sql, params).decode()})"


# The publication dates the admin takes: the archive starts in 1900, and scheduling goes at most
# five years ahead. Outside that, a date is a typo ("0202" for 2020, "9999"), not news.
FIRST_PUBLICATION_YEAR = 1900
SCHEDULE_YEARS_AHEAD = 5


def publication_date_error(when, now):
    """Why `when` cannot be an article's publication date (a sentence for editors), or None."""
    if when.year < FIRST_PUBLICATION_YEAR:
        return f"{when:%d %B} {when.year} is before {FIRST_PUBLICATION_YEAR}, where the archive starts: check the year."
    if when.year > now.year + SCHEDULE_YEARS_AHEAD:
        return (
            f"{when:%d %B} {when.year} is more than {SCHEDULE_YEARS_AHEAD} years ahead: "
            f"articles are scheduled at most until {now.year + SCHEDULE_YEARS_AHEAD}. Check the year."
        )
    return None


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField("headline", max_length=300)
    slug = models.SlugField(
        max_length=SLUG_MAX_LENGTH + 10,
        unique=True,
        help_text="The article’s address on the site. Changing it breaks existing links.",
    )
    dek = models.TextField(help_text="One sentence under the headline that sums up the story.")
    body = models.TextField(help_text="Plain text. Separate paragraphs with a blank line.")
    author = models.ForeignKey(  # article_author_idx leads with it
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles", db_index=False
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publication date",
        null=True,
        blank=True,
        help_text="A published article with a date in the future stays hidden until then.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tags = TaggableManager(through=TaggedArticle, blank=True)
    entities = models.ManyToManyField("Entity", through="Mention", related_name="articles", blank=True)
    entities_pinned = models.BooleanField(
        "entities edited by hand",
        default=False,
        help_text="Keep the entity list exactly as edited: saving no longer re-extracts it from the text.",
    )

    # Provenance: where an ingested article came from, and when editors last changed it.
    source_path = models.CharField(max_length=1024, blank=True, editable=False)
    source_sha256 = models.CharField("SHA-256 of the normalised text", max_length=64, blank=True, editable=False)
    ingested_at = models.DateTimeField(null=True, blank=True, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        # Editors (the group has it) see drafts and scheduled articles at their address.
        permissions = [("preview_article", "Can preview drafts and scheduled articles on the site")]
        constraints = [
            models.UniqueConstraint(
                fields=["source_sha256"], condition=~Q(source_sha256=""), name="article_unique_source_sha256"
            ),
            models.CheckConstraint(condition=Q(status__in=["draft", "published"]), name="article_status_valid"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
        ]
        indexes = [
            # The public listings: published articles, newest first.
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(status="published"),
                name="article_published_idx",
            ),
            # The admin's article list (every status), newest first, and its date hierarchy's first and
            # last dates: without it, each list page sorted every article (0.2 s at 100,000 articles).
            models.Index(fields=["-published_at", "-id"], name="article_newest_idx"),
            models.Index(fields=["author", "-published_at"], name="article_author_idx"),
            # The sitemap's last change: max(updated_at) of the published articles.
            models.Index(fields=["-updated_at"], condition=Q(status="published"), name="article_published_updated_idx"),
            models.Index(Lower("title"), "author", name="article_title_author_idx"),
            # The admin's search over headline and dek (the `searchable` lookup below); it finds
            # the body's words through the search entries (ArticleAdmin.get_search_results).
            GinIndex(OpClass(Searchable("title"), name="gin_trgm_ops"), name="article_title_trgm_idx"),
            GinIndex(OpClass(Searchable("dek"), name="gin_trgm_ops"), name="article_dek_trgm_idx"),
            # Drafts and other unpublished rows, so counts of public articles can subtract them cheaply.
            models.Index(fields=["id"], condition=~Q(status="published"), name="article_unpublished_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return slug_path("articles:article_detail", self.slug)

    @property
    def listing_tags(self):
        """The article's tags by name, from what for_listing()/for_detail() read when there is one."""
        tags = getattr(self, "_listing_tags", None)
        if tags is None:
            rows = getattr(self, "tag_rows", None)
            if rows is None:
                return list(self.tags.order_by("name"))
            self._listing_tags = tags = [Tag(**row) for row in rows]
        return tags

    @property
    def entity_mentions(self):
        """The article's entities with their mention counts, most mentioned first (from for_detail()
        when it read them)."""
        rows = getattr(self, "mention_rows", None)
        if rows is None:
            return list(self.mentions.all())
        if not hasattr(self, "_entity_mentions"):
            self._entity_mentions = [
                Mention(
                    id=row["id"],
                    article=self,
                    count=row["count"],
                    entity=Entity(id=row["entity_id"], name=row["name"], slug=row["slug"], kind=row["kind"]),
                )
                for row in rows
            ]
        return self._entity_mentions

    @property
    def paragraphs(self):
        return [p.strip() for p in re.split(r"\n\s*\n", self.body) if p.strip()]

    @property
    def is_public(self):
        """Whether published() includes this row as loaded: `_public()` itself, evaluated in Python
        on the row's values (a database round trip per row would cost every staff page a query)."""
        from django.utils import timezone

        return _holds(_public(at=timezone.now()), self)

    @property
    def is_scheduled(self):
        """Whether scheduled() includes this row as loaded: published, its time not come yet."""
        return self.status == self.Status.PUBLISHED and not self.is_public


class Mention(models.Model):
    """An entity mentioned in an article, with how many times it occurs there."""

    class Source(models.TextChoices):
        # Found by matching the curated vocabulary (and the byline, acronyms, surnames): re-linking may change it.
        VOCABULARY = "vocabulary", "Curated vocabulary"
        # Found only by the statistical model: re-linking the vocabulary keeps it.
        MODEL = "model", "Statistical model"
        EDITOR = "editor", "Editor"

    # Indexed by mention_unique_pair (article first) and mention_entity_idx (entity first).
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="mentions", db_index=False)
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="mentions", db_index=False)
    count = models.PositiveIntegerField(default=1, help_text="How many times the article mentions the entity.")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.EDITOR, editable=False)
    # "Follow her on X @…": named only by the byline and the author's bio, not by the headline, dek or
    # body. The entity's page lists the article; "appears with" and related articles leave it out.
    byline_only = models.BooleanField(default=False, db_default=False, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "entity"], name="mention_unique_pair"),
            models.CheckConstraint(condition=Q(count__gte=1), name="mention_count_positive"),
        ]
        indexes = [models.Index(fields=["entity", "article"], name="mention_entity_idx")]

    def __str__(self):
        # The entity alone: rows are shown under their article (the admin's entity rows, History).
        return str(self.entity)


class ModelReading(models.Model):
    """The statistical model's spans in an article's text (dek, body, the author's bio) as extraction read it.

    An article's entities are a function of its text, the vocabulary and this reading
    (`articles/entities/extract.py`). Ingest and re-extraction store it beside the
    mentions; re-linking replays it after the vocabulary changes, without running the
    model, so it gives what extraction would give. It holds for the text whose SHA-256 it
    records: an article edited since, or whose author's bio changed, is re-linked by
    the vocabulary alone until it is extracted again. No row: extracted without the model.
    """

    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE, related_name="model_reading")
    sha256 = models.CharField("SHA-256 of the text read", max_length=64)
    spans = models.JSONField(help_text="[start, end, label] of each span the model found, offsets into the text.")

    def __str__(self):
        return f"{len(self.spans)} spans"


class SeedFile(models.Model):
    """A seed file as last ingested: its path, the hash of its text, and its article.

    Kept for every file ever ingested, so re-running an ingest over a folder that
    still holds a superseded copy of a story recognises that copy as unchanged
    instead of writing the old text back.
    """

    path = models.CharField(max_length=1024, unique=True)
    sha256 = models.CharField(max_length=64)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="seed_files")
    ingested_at = models.DateTimeField()

    def __str__(self):
        return self.path


INGEST_FAILURES_KEPT = 100  # a run that fails on every file of a big folder keeps the first hundred reasons


class IngestRunQuerySet(models.QuerySet):
    def begin(self):
        """Record that an ingest starts now; returns the IngestRun to finish() (or to give its job)."""
        last = Article.objects.order_by("-pk").values_list("pk", flat=True).first()
        return self.create(last_article_before=last or 0)

    def newest(self):
        """The newest run (a queued one gets its figures when its job ends: articles/jobs/ingest.py)."""
        return self.select_related("job").order_by("-started_at", "-pk").first()

    def newest_articles(self):
        """The articles the newest run created, newest first: one query, none when no run is recorded."""
        newest = self.order_by("-started_at", "-pk")[:1]
        return Article.objects.filter(
            pk__gt=models.Subquery(newest.values("last_article_before")),
            ingested_at__gte=models.Subquery(newest.values("started_at")),
        ).order_by("-pk")


class IngestRun(models.Model):
    """One run of `manage.py ingest_seeds`, direct or queued: when, what it did, and the files that failed.

    The desk (the admin's front page) shows the last one: the articles it created (ids
    above `last_article_before`) and its failures. A run that never finished (killed)
    has no `finished_at`.
    """

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_article_before = models.BigIntegerField(
        default=0, help_text="The highest article id when the run started: articles above it are new."
    )
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    failures = models.JSONField(default=list, blank=True, help_text="[{path, error}] of the first files that failed.")
    job = models.OneToOneField(
        "Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For `ingest_seeds --enqueue`: the job whose workers do the ingest (and hold its figures).",
    )

    objects = IngestRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["-started_at"], name="ingestrun_started_idx")]

    def __str__(self):
        return f"ingest of {self.started_at:%Y-%m-%d %H:%M}"

    def finish(self, report):
        """Store what an IngestReport says, and the time."""
        from django.utils import timezone

        self.fill(report.as_dict(), timezone.now())
        self.save()

    def fill(self, summary, finished_at):
        """Take the figures of a summary shaped as IngestReport.as_dict() (a queued job's result too)."""
        for name in ("created", "updated", "unchanged", "duplicates", "conflicts"):
            setattr(self, name, summary.get(name, 0))
        failed = summary.get("failed", [])
        self.failed = len(failed)
        self.failures = failed[:INGEST_FAILURES_KEPT]
        self.finished_at = finished_at


def keep_former_name(row, old_name):
    """Before saving an author or tag an editor renamed from `old_name`: keep the old name in its
    `former_names` (ingest files a seed file that still uses it under this row), and drop the new
    one from them. Case alone is no rename: names are compared regardless of case."""
    names = [n for n in row.former_names if n.lower() != row.name.lower()]
    if old_name and old_name.lower() != row.name.lower() and old_name.lower() not in {n.lower() for n in names}:
        names.append(old_name)
    row.former_names = names


class SlugRedirectQuerySet(models.QuerySet):
    def record(self, old_slug, target, *, old_name=""):
        """Send `old_slug` (of target's kind) to `target` from now on; returns the SlugRedirect.

        A slug that is live again (an editor changed a slug back) stops redirecting.
        """
        kind = SlugRedirect.kind_of(target)
        self.filter(kind=kind, old_slug=target.slug).delete()
        if old_slug == target.slug:
            return None
        redirect, _ = self.update_or_create(
            kind=kind,
            old_slug=old_slug,
            defaults={"old_name": old_name, **SlugRedirect.target_fields(kind, target)},
        )
        return redirect

    def repoint(self, old_targets, new_target):
        """Redirects that led to any of `old_targets` lead to `new_target` instead (after a merge)."""
        kind = SlugRedirect.kind_of(new_target)
        field = SlugRedirect.TARGET_FIELDS[kind]
        return self.filter(kind=kind, **{f"{field}__in": old_targets}).update(**{field: new_target})

    def with_public_target(self):
        """Old addresses whose page is public: a published article, or an author, tag or entity
        with public articles (in_use). Any other answers 404, so an old address never reveals
        where a draft or a name known only from drafts lives now."""
        public = {
            SlugRedirect.Kind.ARTICLE: Article.objects.published(),
            SlugRedirect.Kind.AUTHOR: Author.objects.in_use(),
            SlugRedirect.Kind.TAG: Tag.objects.in_use(),
            SlugRedirect.Kind.ENTITY: Entity.objects.in_use(),
        }
        condition = Q()
        for kind, targets in public.items():
            field = SlugRedirect.TARGET_FIELDS[kind]
            condition |= Q(kind=kind) & Exists(targets.filter(pk=OuterRef(f"{field}_id")))
        return self.filter(condition)

    def names_merged_into(self, kind, names):
        """lower(old name) -> target id, for old names of merged rows among `names`."""
        field = SlugRedirect.TARGET_FIELDS[kind]
        lowered = {name.lower() for name in names}
        if not lowered:
            return {}
        rows = (
            self.annotate(old_name_lower=Lower("old_name"))
            .filter(kind=kind, old_name_lower__in=lowered)
            .values_list("old_name_lower", f"{field}_id")
        )
        return dict(rows)


class SlugRedirect(models.Model):
    """An old address of an article, author, tag or entity page, and the row it belongs to now.

    Recorded when editors merge rows or change a slug in the admin; the
    `articles.middleware.SlugRedirectMiddleware` answers requests for the old
    address (and anything below it, such as a feed) with a permanent redirect.
    For merged authors and tags `old_name` keeps the merged name, so that later
    ingests file it under the survivor instead of re-creating it.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        AUTHOR = "author", "Author"
        TAG = "tag", "Tag"
        ENTITY = "entity", "Entity"

    TARGET_FIELDS = {Kind.ARTICLE: "article", Kind.AUTHOR: "author", Kind.TAG: "tag", Kind.ENTITY: "entity"}

    kind = models.CharField(max_length=7, choices=Kind.choices)
    old_slug = models.SlugField("old address", max_length=SLUG_MAX_LENGTH + 10)
    old_name = models.CharField(
        max_length=300, blank=True, help_text="The name of the merged row, for rows that were merged."
    )
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(Author, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    entity = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SlugRedirectQuerySet.as_manager()

    class Meta:
        verbose_name = "old address"
        verbose_name_plural = "old addresses"
        ordering = ["kind", "old_slug"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "old_slug"], name="slugredirect_unique_kind_slug"),
            # Exactly the foreign key that matches `kind` is set.
            models.CheckConstraint(
                condition=(
                    Q(kind="article", article__isnull=False, author=None, tag=None, entity=None)
                    | Q(kind="author", author__isnull=False, article=None, tag=None, entity=None)
                    | Q(kind="tag", tag__isnull=False, article=None, author=None, entity=None)
                    | Q(kind="entity", entity__isnull=False, article=None, author=None, tag=None)
                ),
                name="slugredirect_one_target",
            ),
        ]
        indexes = [
            models.Index("kind", Lower("old_name"), condition=~Q(old_name=""), name="slugredirect_old_name_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.old_slug} → {self.target}"

    @property
    def target(self):
        return getattr(self, self.TARGET_FIELDS[self.kind])

    @classmethod
    def kind_of(cls, obj):
        return cls.KIND_OF_MODEL[type(obj)]

    @classmethod
    def target_fields(cls, kind, target):
        return {field: (target if k == kind else None) for k, field in cls.TARGET_FIELDS.items()}


SlugRedirect.KIND_OF_MODEL = {
    Article: SlugRedirect.Kind.ARTICLE,
    Author: SlugRedirect.Kind.AUTHOR,
    Tag: SlugRedirect.Kind.TAG,
    Entity: SlugRedirect.Kind.ENTITY,
}


# Reader statistics: precomputed so that no public page counts or groups over
# thousands of rows per request. articles/stats.py keeps them current; every write
# path that changes what the public sees calls `stats.refresh_reader_stats(ids)`.
#
# The Public* tables are a snapshot of the public articles as last counted (with
# their date, author, tags and entities); the count tables hold the sums of that
# snapshot. Article links carry no database constraint on purpose: a deleted
# article's snapshot rows must outlive it until its refresh subtracts them. Counts
# are plain integers because refreshes add signed deltas (rows reaching 0 are deleted).


class PublicArticle(models.Model):
    """A public article as the reader statistics last counted it."""

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    published_at = models.DateTimeField()
    month = models.DateField(help_text="First day of the publication month, in the site's time zone.")
    author_id = models.BigIntegerField(null=True)

    def __str__(self):
        return f"public article {self.article_id}"


class PublicMention(models.Model):
    """A public article mentioning an entity, ordered by date: the entity page and related articles read it."""

    pk = models.CompositePrimaryKey("entity", "article")
    # Indexed by the primary key (entity first) and publicmention_article_idx.
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="public_mentions", db_index=False)
    article = models.ForeignKey(
        Article, on_delete=models.DO_NOTHING, db_constraint=False, related_name="public_mentions", db_index=False
    )
    published_at = models.DateTimeField()
    byline_only = models.BooleanField(default=False, db_default=False)  # as Mention.byline_only

    class Meta:
        indexes = [
            models.Index(fields=["entity", "-published_at", "-article"], name="publicmention_newest_idx"),
            models.Index(fields=["article"], name="publicmention_article_idx"),
        ]

    def __str__(self):
        return f"entity {self.entity_id} in article {self.article_id}"


class PublicTagging(models.Model):
    """A public article carrying a tag, ordered by date: the tag page and related articles read it."""

    pk = models.CompositePrimaryKey("tag", "article")
    # Indexed by the primary key (tag first) and publictagging_article_idx.
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="public_taggings", db_index=False)
    article = models.ForeignKey(
        Article, on_delete=models.DO_NOTHING, db_constraint=False, related_name="public_taggings", db_index=False
    )
    published_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["tag", "-published_at", "-article"], name="publictagging_newest_idx"),
            models.Index(fields=["article"], name="publictagging_article_idx"),
        ]

    def __str__(self):
        return f"tag {self.tag_id} on article {self.article_id}"


class MonthCount(models.Model):
    """Public articles per publication month (the archive pages and the home page's page count)."""

    month = models.DateField(primary_key=True)
    count = models.IntegerField()

    class Meta:
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.count}"


class AuthorStats(models.Model):
    author = models.OneToOneField(Author, primary_key=True, on_delete=models.CASCADE, related_name="stats")
    article_count = models.IntegerField()
    updated_at = models.DateTimeField(help_text="When the author's list of public articles last changed.")

    def __str__(self):
        return f"{self.author_id}: {self.article_count}"


class TagStats(models.Model):
    tag = models.OneToOneField(Tag, primary_key=True, on_delete=models.CASCADE, related_name="stats")
    article_count = models.IntegerField()
    updated_at = models.DateTimeField(help_text="When the tag's list of public articles last changed.")

    class Meta:
        indexes = [models.Index(fields=["-article_count", "tag"], name="tagstats_count_idx")]

    def __str__(self):
        return f"{self.tag_id}: {self.article_count}"


class EntityStats(models.Model):
    entity = models.OneToOneField(Entity, primary_key=True, on_delete=models.CASCADE, related_name="stats")
    article_count = models.IntegerField()
    updated_at = models.DateTimeField(help_text="When the entity's list of public articles last changed.")

    class Meta:
        indexes = [models.Index(fields=["-article_count", "entity"], name="entitystats_count_idx")]

    def __str__(self):
        return f"{self.entity_id}: {self.article_count}"


class EntityMonth(models.Model):
    """Public articles mentioning an entity, per month: the entity page's timeline."""

    pk = models.CompositePrimaryKey("entity", "month")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="months", db_index=False)  # pk leads
    month = models.DateField()
    count = models.IntegerField()

    def __str__(self):
        return f"{self.entity_id} {self.month:%Y-%m}: {self.count}"


class EntityPair(models.Model):
    """How many public articles mention both entities (stored in both directions): "appears with"."""

    pk = models.CompositePrimaryKey("entity", "other")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="pairs", db_index=False)  # pk leads
    other = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    count = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["entity", "-count", "other"], name="entitypair_top_idx")]

    def __str__(self):
        return f"{self.entity_id} with {self.other_id}: {self.count}"


class ReaderStatsState(models.Model):
    """One row: every article public at `horizon` has been counted.

    Articles scheduled for later become public without any write; the first
    request after their time finds them (published_at between the horizon and
    now) and counts them.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    horizon = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="readerstatsstate_single_row")]

    def __str__(self):
        return f"reader statistics as of {self.horizon}"


class ContentGeneration(models.Model):
    """One row: a counter of committed changes to what the public pages show.

    Each transaction that changes public content takes the next value at COMMIT
    (migration 0010_change_path; see articles/changes.py), in commit order. The
    page cache (articles/pagecache.py) stores with each page the value read before
    rendering it, and compares it with the versions of the keys the page shows.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(help_text="Raised by one at every COMMIT that changes public content.")
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="contentgeneration_single_row")]

    def __str__(self):
        return f"content generation {self.value} ({self.changed_at})"


class PageVersion(models.Model):
    """The content generation at which a page-cache key last changed ("article:12", "home"…).

    Written at COMMIT from the keys the change path marked (articles/changes.py);
    a key without a row has not changed since any cached page was rendered.
    """

    key = models.CharField(max_length=100, primary_key=True)
    version = models.BigIntegerField()
    changed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["changed_at"], name="pageversion_changed_idx")]

    def __str__(self):
        return f"{self.key} @ {self.version}"


class StoredPage(models.Model):
    """A page of the anonymous page cache, kept in PostgreSQL (articles/pagecache.py, the "database" store).

    One table for every gunicorn worker and host, so a page is rendered once for all of
    them, and kept across restarts. Read in the same query as the content generation and
    the versions of the page's keys; served only while none of them is newer than
    `generation`. UNLOGGED (migration 0018): nothing here is lost that a request cannot
    render again, and writing it costs no WAL (and reaches no replica).
    """

    address = models.CharField(max_length=64, primary_key=True, help_text="sha256 of the page's cache address.")
    keys = ArrayField(models.CharField(max_length=100), help_text="The page-cache keys of what the page shows.")
    generation = models.BigIntegerField(help_text="The content generation read before the page was rendered.")
    headers = models.JSONField(help_text="The response's headers as [name, value] pairs.")
    content = models.BinaryField()
    etag = models.CharField(max_length=64)
    rendered_at = models.BigIntegerField(help_text="When the page was rendered (seconds since 1970).")
    stored_at = models.DateTimeField(help_text="When it was stored: pages older than PAGE_CACHE_SECONDS expire.")

    class Meta:
        indexes = [models.Index(fields=["stored_at"], name="storedpage_stored_idx")]

    def __str__(self):
        return f"page {self.address[:12]} @ {self.generation}"


# The text search configuration of every search entry and query (migration 0006_search): English, accents ignored.
SEARCH_CONFIG = "newsroom_english"


class PublishedUTC(Func):
    """timezone('UTC', published_at): a publication time as UTC wall-clock time (a timestamp
    without time zone), in the same order as the times themselves (UTC has no clock changes).

    The search entries' words index holds it beside the document, so that search finds "these
    words, published since then" in the index alone (search.published_since()).
    """

    function = "timezone"
    template = "%(function)s('UTC', %(expressions)s)"
    output_field = models.DateTimeField()


class SearchEntry(models.Model):
    """An article as full-text search sees it: a narrow row per article (articles/search.py).

    Written only by articles.writes.refresh_search_entries(), which the change path calls
    (articles/changes.py).
    Search counts, ranks and facets every hit, so what a hit needs lives here, in
    rows about a fifth the width of an article's: copies of the article's status,
    date and author, the whole
    searchable text as `document` (headline A, dek and tag names B, body C, author D;
    stored out of line, read through its GIN index), `rank_vector` (headline, dek,
    tags, author, and the body's twelve most frequent words) for ranking, and the ids
    of the article's tags and entities.
    """

    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE, related_name="search_entry")
    status = models.CharField(max_length=10)
    published_at = models.DateTimeField(null=True)
    author = models.ForeignKey(Author, null=True, on_delete=models.SET_NULL, related_name="+")
    document = SearchVectorField()
    rank_vector = SearchVectorField()
    # Facet keys, so counting a hit's tags and entities reads this row, not the link tables.
    tag_ids = ArrayField(models.BigIntegerField(), default=list)
    entity_ids = ArrayField(models.BigIntegerField(), default=list)
    # A fixed pseudo-random 0..63 per article: two small partial indexes hold the entries of
    # bucket 0 (1/64 of the archive) and of buckets 0-7 (1/8), so a query matching tens of
    # thousands of articles can be counted and faceted from a sample of its hits.
    bucket = models.SmallIntegerField()

    class Meta:
        verbose_name_plural = "search entries"
        indexes = [
            # Long pending lists: an ingest appends each document's words to them and the merge
            # into the index happens in bulk, mostly by autovacuum, off the writer's path.
            # The words and the publication time (as UTC wall-clock time, btree_gin), so that
            # "these words, published since then" (the hits search ranks) is found in the index
            # alone: see search.published_since().
            GinIndex(
                F("document"),
                PublishedUTC(F("published_at")),
                name="searchentry_words_date_idx",
                gin_pending_list_limit=BULK_GIN_PENDING_KB,
            ),
            GinIndex(
                fields=["document"],
                condition=Q(bucket__lt=8),
                name="searchentry_sample8_idx",
                gin_pending_list_limit=BULK_GIN_PENDING_KB,
            ),
            GinIndex(
                fields=["document"],
                condition=Q(bucket=0),
                name="searchentry_sample64_idx",
                gin_pending_list_limit=BULK_GIN_PENDING_KB,
            ),
            models.Index(fields=["published_at"], name="searchentry_published_idx"),
            # The samples' entries whatever their words, for filters without words
            # (/search/?tag=politics): counted and faceted from 1/64 or 1/8 of their hits.
            models.Index(fields=["published_at"], condition=Q(bucket=0), name="searchentry_sample64_date_idx"),
            models.Index(fields=["published_at"], condition=Q(bucket__lt=8), name="searchentry_sample8_date_idx"),
            # Filters without words: /search/?tag=energy&entity=poland
            GinIndex(fields=["tag_ids"], name="searchentry_tags_idx"),
            GinIndex(fields=["entity_ids"], name="searchentry_entities_idx"),
        ]

    def __str__(self):
        return f"search entry of article {self.article_id}"


class RelatedArticles(models.Model):
    """The related articles an article page shows, chosen when the article was last written.

    Written only by articles.related, which the change path calls (articles/changes.py).
    `related_ids` holds the ranked ids (a few more than a page shows), not links: a
    related article that is no longer public is left out when the page reads the list.
    """

    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE, related_name="related_list")
    related_ids = ArrayField(models.BigIntegerField(), default=list)

    class Meta:
        verbose_name_plural = "related articles"

    def __str__(self):
        return f"related articles of article {self.article_id}"


class ArticleParts(models.Model):
    """The parts of an article's public page that change only when the article (or what it shows
    of its author, tags, entities and related articles) changes, rendered on write; and its card
    in the listings.

    Written only by articles/parts.py, which the change path calls (articles/changes.py).
    `version` names the templates and code that rendered them ('' once marked stale): parts of
    another version are not served, nor parts older (`generation`, the content generation read
    when they were rendered) than the last write from outside the change path (the page-cache
    key "all"). `keys` are the page-cache keys of what they show.
    """

    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE, related_name="page_parts")
    version = models.CharField(max_length=16)
    origin = models.CharField(max_length=64)  # stands for scheme://host in meta's absolute URLs
    meta = models.TextField()
    main = models.TextField()
    keys = ArrayField(models.TextField(), default=list)
    # The article's card in the listings (home, archive, tag, author and entity pages), with the
    # page-cache keys of what it shows (the article, its author and tags: a subset of `keys`).
    card = models.TextField(blank=True, default="")
    card_keys = ArrayField(models.TextField(), default=list)
    generation = models.BigIntegerField()
    rendered_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "article parts"
        indexes = [GinIndex(fields=["keys"], name="articleparts_keys_idx")]

    def __str__(self):
        return f"parts of article {self.article_id}"


# The background jobs' own tables (the admin's Jobs list): articles/jobs/models.py.
from .jobs.models import Job, JobFile, JobPart  # noqa: E402, F401 -- registered with this app
