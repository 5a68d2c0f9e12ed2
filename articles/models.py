"""The archive's data: articles, their authors, tags and the entities they mention.

Query rules (what the public may see, what a page needs prefetched) live on the
QuerySets here; views, feeds, sitemaps, the admin and commands call them.
"""

import hashlib
import re

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import connections, models
from django.db.models import Count, F, Func, Q
from django.db.models.functions import Lower, Now
from django.urls import reverse
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

SLUG_MAX_LENGTH = 80

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
    full = slugify(text.translate(_TRANSLITERATE))
    slug = full[:max_length].rstrip("-")
    if len(full) > max_length and full[len(slug) : len(slug) + 1] not in ("-", "") and "-" in slug:
        slug = slug.rsplit("-", 1)[0]  # do not cut a word in half
    if not slug:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        slug = f"{fallback_prefix}-{digest}"
    return slug


def unique_slug(base, taken):
    """`base`, or `base-2`, `base-3`… : the first not in the set `taken`."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def taken_slugs(model, bases):
    """Slugs of `model` rows that could clash with any of `bases`.

    One indexed lookup for the bases themselves; only bases already taken need a
    second (prefix, also indexed) lookup for their numbered variants.
    """
    bases = set(bases)
    if not bases:
        return set()
    manager = model._default_manager
    taken = set(manager.filter(slug__in=bases).values_list("slug", flat=True))
    if taken:
        variants = Q()
        for base in taken:
            variants |= Q(slug__startswith=f"{base}-")
        numbered = re.compile(r"^(?:" + "|".join(re.escape(b) for b in taken) + r")-[0-9]+$")
        taken |= {slug for slug in manager.filter(variants).values_list("slug", flat=True) if numbered.match(slug)}
    return taken


def twitter_handle_from(text):
    """The first @handle in `text`, without the @, or ""."""
    match = TWITTER_HANDLE_RE.search(text or "")
    return match.group(1) if match else ""


class SearchKey(Func):
    """newsroom_search_key(text): lower case, accents and dots removed, other punctuation as spaces.

    "U.S." and "us", "São Paulo" and "sao paulo" have one key. The SQL function is
    IMMUTABLE (it uses a fixed unaccent dictionary), so it can be indexed; it is
    created by migration 0003_search.
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
    def with_article_counts(self):
        """Annotate `article_count`: the author's publicly visible articles."""
        return self.annotate(
            article_count=Count(
                "articles",
                filter=Q(articles__status=Article.Status.PUBLISHED, articles__published_at__lte=Now()),
            )
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
        return reverse("articles:author_detail", kwargs={"slug": self.slug})

    @property
    def twitter_url(self):
        return f"https://x.com/{self.twitter}" if self.twitter else ""


class EntityQuerySet(models.QuerySet):
    def with_article_counts(self):
        """Annotate `article_count`: publicly visible articles that mention the entity."""
        return self.annotate(
            article_count=Count(
                "mentions",
                filter=Q(
                    mentions__article__status=Article.Status.PUBLISHED,
                    mentions__article__published_at__lte=Now(),
                ),
            )
        )


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
        return reverse("articles:entity_detail", kwargs={"slug": self.slug})


class Tag(TagBase):
    """A topic label; names are unique regardless of case."""

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_unique_name_ci")]
        indexes = [GinIndex(OpClass(SearchKey(F("name")), name="gin_trgm_ops"), name="tag_name_trgm_idx")]

    def slugify(self, tag, i=None):
        slug = make_slug(tag, fallback_prefix="tag")
        return f"{slug}-{i}" if i is not None else slug

    def get_absolute_url(self):
        return reverse("articles:tag_detail", kwargs={"slug": self.slug})


class TaggedArticle(TaggedItemBase):
    """The link between an article and one of its tags (a plain foreign key, not generic)."""

    content_object = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="taggings")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="taggings")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="taggedarticle_unique_pair"),
        ]
        indexes = [models.Index(fields=["tag", "content_object"], name="taggedarticle_tag_idx")]


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles the public may see: published, and not scheduled for later."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=Now())

    def newest_first(self):
        return self.order_by("-published_at", "-id")

    def for_listing(self):
        """What an article card shows: author and tags, in a fixed number of queries."""
        return self.select_related("author").prefetch_related("tags")

    def for_detail(self):
        """What the article page shows: author, tags and entities with their mention counts."""
        return self.select_related("author").prefetch_related(
            "tags",
            models.Prefetch("mentions", queryset=Mention.objects.select_related("entity").order_by("-count")),
        )

    def update_search_vectors(self):
        """Recompute the search entries (SearchEntry) of these articles; returns how many were written.

        One set-based statement (the SQL function articles_refresh_search, migration
        0003_search) reads each article's headline, dek, body, author name and tag
        names. Call it after writing any of those: ingest does after each batch, the
        admin after saving an article. Renaming an author or a tag refreshes their
        articles by itself, and changes of status, date or author are copied to the
        entries by a trigger.
        """
        ids_sql, params = self.order_by().values("pk").query.sql_with_params()
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT articles_refresh_search(ARRAY({ids_sql}))", params)
            return cursor.fetchone()[0]


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
    author = models.ForeignKey(Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
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
            models.Index(fields=["author", "-published_at"], name="article_author_idx"),
            models.Index(Lower("title"), "author", name="article_title_author_idx"),
            # Drafts and other unpublished rows, so counts of public articles can subtract them cheaply.
            models.Index(fields=["id"], condition=~Q(status="published"), name="article_unpublished_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:article_detail", kwargs={"slug": self.slug})

    @property
    def paragraphs(self):
        return [p.strip() for p in re.split(r"\n\s*\n", self.body) if p.strip()]

    @property
    def is_public(self):
        from django.utils import timezone

        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


class Mention(models.Model):
    """An entity mentioned in an article, with how many times it occurs there."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="mentions")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="mentions")
    count = models.PositiveIntegerField(default=1, help_text="How many times the article mentions the entity.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "entity"], name="mention_unique_pair"),
            models.CheckConstraint(condition=Q(count__gte=1), name="mention_count_positive"),
        ]
        indexes = [models.Index(fields=["entity", "article"], name="mention_entity_idx")]

    def __str__(self):
        return f"{self.entity} in {self.article} ({self.count}×)"


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


class SearchEntry(models.Model):
    """An article as full-text search sees it: a narrow row per article (articles/search.py).

    Written only by ArticleQuerySet.update_search_vectors() and database triggers.
    Search counts, ranks and facets every hit, so what a hit needs lives here, in
    rows about a fifth the width of an article's: copies of the article's status,
    date and author (kept in step by a trigger on articles_article), the whole
    searchable text as `document` (headline A, dek and tag names B, body C, author D;
    stored out of line, read through its GIN index), `rank_vector` (headline, dek,
    tags, author, and the body's twelve most frequent words) for ranking, and the ids
    of the article's tags and entities (kept in step by triggers on the link tables).
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
            GinIndex(fields=["document"], name="searchentry_document_idx"),
            GinIndex(fields=["document"], condition=Q(bucket__lt=8), name="searchentry_sample8_idx"),
            GinIndex(fields=["document"], condition=Q(bucket=0), name="searchentry_sample64_idx"),
            models.Index(fields=["published_at"], name="searchentry_published_idx"),
            # Filters without words: /search/?tag=energy&entity=poland
            GinIndex(fields=["tag_ids"], name="searchentry_tags_idx"),
            GinIndex(fields=["entity_ids"], name="searchentry_entities_idx"),
        ]

    def __str__(self):
        return f"search entry of article {self.article_id}"
