"""The archive's data: articles, their authors, tags and the entities they mention.

Query rules (what the public may see, what a page needs prefetched) live on the
QuerySets here; views, feeds, sitemaps, the admin and commands call them.
"""

import hashlib
import re

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Count, Q
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
        indexes = [models.Index(fields=["kind", "name"], name="entity_kind_name_idx")]

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
            # The admin's search over headline, dek and body (the `searchable` lookup below).
            GinIndex(OpClass(Searchable("title"), name="gin_trgm_ops"), name="article_title_trgm_idx"),
            GinIndex(OpClass(Searchable("dek"), name="gin_trgm_ops"), name="article_dek_trgm_idx"),
            GinIndex(OpClass(Searchable("body"), name="gin_trgm_ops"), name="article_body_trgm_idx"),
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
        kinds = {Article: cls.Kind.ARTICLE, Author: cls.Kind.AUTHOR, Tag: cls.Kind.TAG, Entity: cls.Kind.ENTITY}
        return kinds[type(obj)]

    @classmethod
    def target_fields(cls, kind, target):
        return {field: (target if k == kind else None) for k, field in cls.TARGET_FIELDS.items()}
