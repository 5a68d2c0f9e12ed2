"""The shapes of the API's answers: the OpenAPI schema (/api/v1/openapi.json) is generated from them.

Plain pydantic models rather than ninja's `Schema`: the routes hand over dicts, so the ORM-aware
validation `Schema` adds to every object (a third of a page's time at 20 articles) buys nothing.
"""

import datetime
from typing import Literal

from pydantic import BaseModel as Schema
from pydantic import Field

Kind = Literal["person", "place", "organisation"]


class Error(Schema):
    message: str = Field(description="What is wrong, for people.")
    parameter: str | None = Field(description="The query parameter (or path part) at fault, if one is.")


class AuthorRef(Schema):
    name: str
    slug: str
    url: str = Field(description="The author's page on the site.")
    api_url: str


class TagRef(Schema):
    name: str
    slug: str
    url: str
    api_url: str


class EntityRef(Schema):
    name: str
    kind: Kind
    slug: str
    url: str
    api_url: str


class MentionedEntity(EntityRef):
    mentions: int = Field(description="How many times the article mentions it.")


class ArticleItem(Schema):
    slug: str
    url: str = Field(description="The article's page on the site.")
    api_url: str
    title: str
    dek: str
    published_at: datetime.datetime
    author: AuthorRef | None
    tags: list[TagRef]
    entities: list[MentionedEntity] = Field(description="Most mentioned first.")
    body: str | None = Field(
        None, description="Only with fields=body: plain text, paragraphs separated by a blank line."
    )


class ArticlePage(Schema):
    items: list[ArticleItem]
    next: str | None = Field(description="The next page's address, or null on the last page.")
    next_cursor: str | None = Field(description="The `cursor` parameter of the next page.")


class AuthorInArticle(AuthorRef):
    bio: str
    twitter: str | None = Field(description="X/Twitter handle, without the @.")


class RelatedArticle(Schema):
    slug: str
    url: str
    api_url: str
    title: str
    published_at: datetime.datetime


class ArticleDetail(ArticleItem):
    body: str
    updated_at: datetime.datetime
    author: AuthorInArticle | None
    related: list[RelatedArticle] = Field(
        description="Articles sharing the most entities and tags, newest first among equals "
        "(chosen when the article was last written, as on its page)."
    )


class Index(Schema):
    name: str
    description: str
    resources: dict[str, str] = Field(description="Each resource's address.")
    schema_url: str = Field(description="The OpenAPI 3 schema of this API.")
    docs_url: str = Field(description="A readable reference of this API.")


class EntityItem(EntityRef):
    article_count: int = Field(description="Public articles that mention it.")
    aliases: list[str] = Field(description="Other names articles use for it.")


class EntityPage(Schema):
    items: list[EntityItem]
    count: int
    next: str | None


class MonthCount(Schema):
    month: str = Field(description="YYYY-MM, in the site's time zone.")
    count: int = Field(description="Public articles that month that mention it.")


class EntityWith(EntityRef):
    count: int = Field(description="Public articles mentioning both.")


class EntityDetail(EntityItem):
    months: list[MonthCount] = Field(description="Months with at least one article, oldest first.")
    appears_with: list[EntityWith] = Field(description="The entities most often mentioned in the same articles.")
    articles_url: str = Field(description="Its articles, newest first.")


class AuthorItem(AuthorRef):
    article_count: int = Field(description="Public articles.")


class AuthorPage(Schema):
    items: list[AuthorItem]
    count: int
    next: str | None


class AuthorDetail(AuthorItem):
    bio: str
    twitter: str | None
    articles_url: str


class TagItem(TagRef):
    article_count: int = Field(description="Public articles.")


class TagPage(Schema):
    items: list[TagItem]
    count: int
    next: str | None


class TagDetail(TagItem):
    articles_url: str
