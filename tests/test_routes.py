"""articles.routes: a route's address built one way, the same as reverse() gives."""

import pytest
from django.urls import reverse, set_script_prefix

from articles.routes import route_path, slug_path, slug_route

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory


@pytest.fixture
def script_prefix():
    def use(prefix):
        set_script_prefix(prefix)

    yield use
    set_script_prefix("/")


@pytest.mark.parametrize("view_name", ["articles:article_detail", "articles:tag_feed_atom", "api:entity"])
def test_slug_path_is_reverse(view_name):
    for slug in ("energy", "a-b_c-2"):
        assert slug_path(view_name, slug) == reverse(view_name, kwargs={"slug": slug})


def test_a_slug_outside_the_converter_is_quoted_not_spliced_in():
    assert slug_path("articles:tag_detail", "x/y?z#w 100%") == "/tags/x%2Fy%3Fz%23w%20100%25/"
    assert slug_route("articles:tag_feed_atom") == ("/tags/", "/feed/atom/")


def test_route_path_is_reverse():
    assert route_path("articles:archive_month", 2024, 6) == reverse("articles:archive_month", args=[2024, 6])
    assert route_path("articles:archive_year", 2024) == "/archive/2024/"
    assert route_path("api:articles") == reverse("api:articles")


def test_both_follow_the_script_prefix(script_prefix):
    script_prefix("/news/")
    assert slug_path("articles:tag_detail", "energy") == "/news/tags/energy/"
    assert route_path("articles:archive_year", 2024) == "/news/archive/2024/"
    script_prefix("/")
    assert slug_path("articles:tag_detail", "energy") == "/tags/energy/"


@pytest.mark.django_db
def test_every_model_page_is_addressed_through_them():
    for obj, view_name in (
        (ArticleFactory(), "articles:article_detail"),
        (AuthorFactory(), "articles:author_detail"),
        (TagFactory(), "articles:tag_detail"),
        (EntityFactory(), "articles:entity_detail"),
    ):
        assert obj.get_absolute_url() == slug_path(view_name, obj.slug) == reverse(view_name, args=[obj.slug])
