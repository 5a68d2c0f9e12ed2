"""Merging entities, tags and authors: everything moves, counts stay right, old addresses redirect."""

import pytest

from articles.ingest import ingest_paths
from articles.merge import MergeError, merge_authors, merge_entities, merge_tags
from articles.models import Article, Author, Entity, Mention, SlugRedirect, Tag, TaggedArticle

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

pytestmark = pytest.mark.django_db


def mentions(article):
    return dict(Mention.objects.filter(article=article).values_list("entity__name", "count"))


class TestMergeEntities:
    def test_mentions_move_and_counts_add_up_where_both_were_mentioned(self):
        keep = EntityFactory(name="Ivan Petrovsky", kind=Entity.Kind.PERSON, aliases=["Petrovsky"])
        other = EntityFactory(name="I. Petrovsky", kind=Entity.Kind.PERSON, aliases=["Ivan I. Petrovsky", "petrovsky"])
        both, only_other, only_keep = ArticleFactory(), ArticleFactory(), ArticleFactory()
        Mention.objects.create(article=both, entity=keep, count=2)
        Mention.objects.create(article=both, entity=other, count=3)
        Mention.objects.create(article=only_other, entity=other, count=4)
        Mention.objects.create(article=only_keep, entity=keep, count=1)
        total = sum(Mention.objects.values_list("count", flat=True))

        result = merge_entities(keep, [other])

        assert mentions(both) == {"Ivan Petrovsky": 5}
        assert mentions(only_other) == {"Ivan Petrovsky": 4}
        assert mentions(only_keep) == {"Ivan Petrovsky": 1}
        assert sum(Mention.objects.values_list("count", flat=True)) == total
        assert not Entity.objects.filter(pk=other.pk).exists()
        assert result.merged_names == ["I. Petrovsky"]
        assert result.article_ids == sorted([both.pk, only_other.pk])
        keep.refresh_from_db()
        # Merged names become aliases, without repeating what it already had (case-blind).
        assert keep.aliases == ["Petrovsky", "I. Petrovsky", "Ivan I. Petrovsky"]

    def test_a_case_variant_the_vocabulary_reads_apart_stays_an_alias(self):
        keep = EntityFactory(name="ZBTO", kind=Entity.Kind.ORG)
        merge_entities(keep, [EntityFactory(name="Zbto", kind=Entity.Kind.PLACE, aliases=["ZBTO", "zbto"])])
        keep.refresh_from_db()
        assert keep.aliases == ["Zbto"]  # "ZBTO" matches only in capitals; "zbto" repeats "Zbto"

    def test_several_at_once_and_different_kinds(self):
        keep = EntityFactory(name="Zembla", kind=Entity.Kind.PLACE)
        others = [EntityFactory(name="Zembla", kind=Entity.Kind.ORG), EntityFactory(name="Sakartvelo")]
        article = ArticleFactory(entities=[keep, *others])
        merge_entities(keep, others)
        assert mentions(article) == {"Zembla": 3}
        keep.refresh_from_db()
        assert keep.kind == Entity.Kind.PLACE
        assert keep.aliases == ["Sakartvelo"]

    def test_merged_names_are_found_by_later_ingests(self, seed_dir):
        keep = EntityFactory(name="Kumamoto Prefecture", kind=Entity.Kind.PLACE)
        other = EntityFactory(name="Kumamoto", kind=Entity.Kind.PLACE)
        merge_entities(keep, [other])
        seed_dir.write("a.txt", "Chips\n\nA dek.\n\nA plant opens in Kumamoto.\n\nAuthor: Jo Reporter\n")
        ingest_paths([seed_dir.path])
        article = Article.objects.get(title="Chips")
        assert mentions(article)["Kumamoto Prefecture"] == 1
        assert not Entity.objects.filter(name="Kumamoto").exists()

    def test_needs_another_entity(self):
        keep = EntityFactory()
        with pytest.raises(MergeError):
            merge_entities(keep, [keep])


class TestMergeTags:
    def test_taggings_move_without_duplicates(self):
        keep, other = TagFactory(name="Ukraine"), TagFactory(name="Ukraine war")
        both = ArticleFactory(tags=[keep, other])
        only_other = ArticleFactory(tags=[other, "energy"])
        result = merge_tags(keep, [other])
        assert list(both.tags.names()) == ["Ukraine"]
        assert sorted(only_other.tags.names()) == ["Ukraine", "energy"]
        assert TaggedArticle.objects.filter(tag=keep).count() == 2
        assert not Tag.objects.filter(pk=other.pk).exists()
        assert result.moved == 2

    def test_the_names_a_merged_tag_was_renamed_from_go_to_the_survivor(self):
        keep, other = TagFactory(name="Ukraine"), TagFactory(name="Ukraine war", former_names=["war in ukraine"])
        merge_tags(keep, [other])
        keep.refresh_from_db()
        assert keep.former_names == ["war in ukraine"]

    def test_an_ingest_that_meets_the_old_name_uses_the_survivor(self, seed_dir):
        keep, other = TagFactory(name="Ukraine"), TagFactory(name="Ukraine war")
        merge_tags(keep, [other])
        seed_dir.write("a.txt", "Front\n\nA dek.\n\nBody.\n\nAuthor: Jo Reporter\nTags: ukraine WAR, energy\n")
        ingest_paths([seed_dir.path])
        assert sorted(Article.objects.get(title="Front").tags.names()) == ["Ukraine", "energy"]
        assert not Tag.objects.filter(name__iexact="ukraine war").exists()

    def test_search_filters_and_the_api_follow_the_old_address(self, client):
        keep, other = TagFactory(name="politics"), TagFactory(name="conflict")
        ArticleFactory(title="Talks resume", tags=[other])
        merge_tags(keep, [other])
        response = client.get("/search/", {"q": "talks", "tag": ["conflict", "politics"], "page": 2})
        assert response.status_code == 301 and response["Location"] == "?q=talks&tag=politics"
        assert client.get("/search/", {"q": "talks", "tag": "politics"}).status_code == 200
        assert client.get("/search/", {"tag": "no-such-tag"}).status_code == 400
        answer = client.get("/api/v1/tags/conflict/")
        assert answer.status_code == 404 and "is now “politics”" in answer.json()["message"]
        answer = client.get("/api/v1/articles/", {"tag": "conflict"})
        assert answer.status_code == 400 and "is now “politics” (tag=politics)" in answer.json()["message"]


class TestMergeAuthors:
    def test_articles_move_and_the_survivor_keeps_or_takes_a_bio(self):
        keep = AuthorFactory(name="Jane Doe", bio="", twitter="")
        other = AuthorFactory(name="J. Doe", bio="Jane covers energy. @janedoe")
        articles = [ArticleFactory(author=other) for _ in range(3)] + [ArticleFactory(author=keep)]
        result = merge_authors(keep, [other])
        assert result.moved == 3
        assert Article.objects.filter(author=keep).count() == len(articles)
        keep.refresh_from_db()
        assert keep.bio == "Jane covers energy. @janedoe"
        assert keep.twitter == "janedoe"
        assert not Author.objects.filter(pk=other.pk).exists()

    def test_an_ingest_that_meets_the_old_name_uses_the_survivor(self, seed_dir):
        keep, other = AuthorFactory(name="Jane Doe"), AuthorFactory(name="J. Doe")
        merge_authors(keep, [other])
        seed_dir.write("a.txt", "Grid\n\nA dek.\n\nBody.\n\nAuthor: J. Doe\n")
        ingest_paths([seed_dir.path])
        assert Article.objects.get(title="Grid").author == keep
        assert not Author.objects.filter(name="J. Doe").exists()

    def test_a_name_that_exists_again_wins_over_the_merged_one(self, seed_dir):
        keep, other = AuthorFactory(name="Jane Doe"), AuthorFactory(name="J. Doe")
        merge_authors(keep, [other])
        again = AuthorFactory(name="J. Doe")  # an editor created the author again on purpose
        seed_dir.write("a.txt", "Grid\n\nA dek.\n\nBody.\n\nAuthor: J. Doe\n")
        ingest_paths([seed_dir.path])
        assert Article.objects.get(title="Grid").author == again


class TestRedirects:
    def test_old_addresses_redirect_permanently_to_the_survivor(self, client):
        keep_tag, old_tag = TagFactory(name="Ukraine"), TagFactory(name="Ukraine war")
        keep_entity, old_entity = EntityFactory(name="Bank of Zembla"), EntityFactory(name="BoZ")
        keep_author, old_author = AuthorFactory(name="Jane Doe"), AuthorFactory(name="J. Doe")
        # Pages exist for names with public articles: the merged ones had them.
        ArticleFactory(author=old_author, tags=[old_tag], entities=[old_entity])
        merge_tags(keep_tag, [old_tag])
        merge_entities(keep_entity, [old_entity])
        merge_authors(keep_author, [old_author])
        for old, new in [
            (f"/tags/{old_tag.slug}/", keep_tag.get_absolute_url()),
            (f"/entities/{old_entity.slug}/", keep_entity.get_absolute_url()),
            (f"/authors/{old_author.slug}/", keep_author.get_absolute_url()),
        ]:
            response = client.get(old)
            assert response.status_code == 301, old
            assert response["Location"] == new
            assert client.get(new).status_code == 200

    def test_query_string_is_kept_and_unknown_slugs_stay_404(self, client):
        keep, old = TagFactory(name="Ukraine"), TagFactory(name="Ukraine war")
        ArticleFactory(tags=[old])  # an old address leads only to a public page
        merge_tags(keep, [old])
        response = client.get(f"/tags/{old.slug}/?page=2")
        assert response.status_code == 301
        assert response["Location"] == f"/tags/{keep.slug}/?page=2"
        assert client.get("/tags/never-existed/").status_code == 404
        assert client.post(f"/tags/{old.slug}/").status_code in (404, 405)

    def test_pages_below_the_old_address_follow_when_they_exist(self, client):
        keep, old = TagFactory(name="Ukraine"), TagFactory(name="Ukraine war")
        merge_tags(keep, [old])
        # No such page below a tag's address: stays a 404 rather than redirecting to nothing.
        assert client.get(f"/tags/{old.slug}/no-such-page/").status_code == 404

    def test_chains_of_merges_lead_to_the_last_survivor(self, client):
        a, b, c = TagFactory(name="a tag"), TagFactory(name="b tag"), TagFactory(name="c tag")
        ArticleFactory(tags=[a])
        merge_tags(b, [a])
        merge_tags(c, [b])
        assert client.get(f"/tags/{a.slug}/")["Location"] == c.get_absolute_url()
        assert client.get(f"/tags/{b.slug}/")["Location"] == c.get_absolute_url()
        assert SlugRedirect.objects.filter(kind="tag").count() == 2

    def test_a_live_page_wins_over_a_redirect(self, client):
        keep, old = TagFactory(name="Ukraine"), TagFactory(name="Ukraine war")
        merge_tags(keep, [old])
        again = Tag.objects.create(name="Ukraine war", slug=old.slug)
        ArticleFactory(tags=[again])  # a tag has a page once it has a public article
        assert client.get(again.get_absolute_url()).status_code == 200
