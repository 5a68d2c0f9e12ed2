"""RSS 2.0 and Atom feeds: the whole site, and each tag, author and entity.

Each feed lists the newest public articles (never drafts or scheduled ones) in a
fixed number of queries. Descriptions are HTML in both formats, so the dek is
HTML-escaped before the feed generator XML-escapes it again: a reader shows
"<script>" in a headline as text, never runs it. In RSS, titles and the author's
name (dc:creator) are treated as HTML by many readers too (the RSS Best Practices
Profile: markup in them is entity-encoded), so they are HTML-escaped the same way;
Atom says what its text is (type="text"), so there they are plain.
"""

import io

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from . import changes
from .models import Article, Author, Entity, Tag
from .pagecache import card_keys, depends_on, key
from .prepared import PreparedQuery
from .views import SITE_DESCRIPTION, SITE_NAME

FEED_LENGTH = 30


def feed_items(articles):
    """The newest FEED_LENGTH of `articles` with what an item shows (author, tags; not the body)."""
    return articles.for_listing().defer("body")[:FEED_LENGTH]


# The site's feed, the same query every time: compiled once per process, planned once per
# connection (articles/prepared.py). Compiling it cost more than running it.
SITE_FEED = PreparedQuery("site_feed", lambda: feed_items(Article.objects.published().newest_first()), values=0)


class ArticleFeed(Feed):
    """The site's newest articles (RSS 2.0); subclasses narrow `articles` to one tag, author or entity."""

    model = None  # the model looked up by slug, for per-object feeds
    language = "en"
    html_titles = True  # RSS: titles and names are read as HTML (see the module docstring)

    def text(self, value):
        """A title or name as this format carries it: HTML-escaped for RSS, plain for Atom."""
        return escape(value) if self.html_titles and value is not None else value

    def __call__(self, request, *args, **kwargs):
        changes.catch_up(request)
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, slug=None):
        if self.model is None:
            return None
        return get_object_or_404(self.model.objects.in_use(), slug=slug)  # as its page: only with public articles

    def articles(self, obj):
        return Article.objects.published().newest_first()

    def items(self, obj):
        if obj is None and type(self).articles is ArticleFeed.articles:
            items = SITE_FEED.fetch()
        else:
            items = list(feed_items(self.articles(obj)))
        depends_on(*self.listing_keys(obj), *card_keys(items))  # for the page cache
        return items

    def listing_keys(self, obj):
        if obj is None:
            return ("home",)
        name = obj._meta.model_name
        return (key(name, obj.pk), key(f"{name}-list", obj.pk))

    def title(self, obj):
        return self.text(f"{SITE_NAME}: latest articles")

    def link(self, obj):
        return reverse("articles:home")

    def description(self, obj):
        return SITE_DESCRIPTION

    def subtitle(self, obj):  # Atom's name for the description
        return self.description(obj)

    def item_title(self, item):
        return self.text(item.title)

    def item_description(self, item):
        return escape(item.dek)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        # The permalink is the item's id: RSS <guid isPermaLink="true">, Atom <id>. (Without one,
        # RSS items had no guid and Django made Atom ids ending in "//" from the link.) A
        # changed slug redirects the old address, so an id once published keeps leading to
        # the article.
        return self.request_uri(item.get_absolute_url())

    item_guid_is_permalink = True

    def item_author_name(self, item):
        return self.text(item.author.name) if item.author else None

    def item_author_link(self, item):
        return self.request_uri(item.author.get_absolute_url()) if item.author else None

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at)

    def item_categories(self, item):
        return [tag.name for tag in item.listing_tags]

    def get_feed(self, obj, request):
        self.request_uri = request.build_absolute_uri
        feed = super().get_feed(obj, request)
        # Written into a string, then into the response at once: the XML generator writes each tag,
        # attribute and text apart, 1,200 writes for 30 items, and each write to an HttpResponse
        # encodes and appends a chunk of its own.
        write = feed.write

        def write_at_once(response, encoding):
            text = io.StringIO()
            write(text, encoding)
            response.write(text.getvalue())

        feed.write = write_at_once
        return feed


class TagFeed(ArticleFeed):
    model = Tag

    def articles(self, obj):
        return Article.objects.published().with_tag(obj)

    def title(self, obj):
        return self.text(f"{SITE_NAME}: {obj.name}")

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return f"The newest articles tagged {obj.name}."


class AuthorFeed(ArticleFeed):
    model = Author

    def articles(self, obj):
        return Article.objects.published().filter(author=obj).newest_first()

    def title(self, obj):
        return self.text(f"{SITE_NAME}: articles by {obj.name}")

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return f"The newest articles by {obj.name}."


class EntityFeed(ArticleFeed):
    model = Entity

    def articles(self, obj):
        return Article.objects.published().mentioning(obj)

    def title(self, obj):
        return self.text(f"{SITE_NAME}: {obj.name}")

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return f"The newest articles that mention {obj.name}."


def atom(feed_class):
    """The Atom 1.0 twin of an RSS feed class."""
    return type(f"Atom{feed_class.__name__}", (feed_class,), {"feed_type": Atom1Feed, "html_titles": False})


LatestArticlesAtomFeed = atom(ArticleFeed)
TagAtomFeed = atom(TagFeed)
AuthorAtomFeed = atom(AuthorFeed)
EntityAtomFeed = atom(EntityFeed)
