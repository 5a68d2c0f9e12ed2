#!/usr/bin/env python3
"""Count what issue 14 counts about the change path, so anyone can measure it again.

    .venv/bin/python scripts/localenv.py -- .venv/bin/python scripts/count_structure.py [--list] [--json]

(`make structure` runs the same.) It reads the Python of `articles/` (migrations left out:
they are history, and what they create is counted in the live schema instead) and, for the
schema, the database at DATABASE_URL, migrated. What each line counts, exactly:

- **raw-SQL sites**: call expressions (found with Python's `ast`, so a statement written
  over ten lines is one site) whose callee is `RawSQL(…)` or an attribute named `execute`,
  `executemany`, `raw` or `extra` — `cursor.execute(…)`, `Article.objects.raw(…)`, and
  the prepared statements' own `.execute(connection, cursor, …)`. Listed per module.
  (A `grep -c 'execute('` counts lines instead, and also counts `def execute`: a little more.)
- **triggers**: rows of `pg_trigger` that PostgreSQL did not make for itself (not
  `tgisinternal`: foreign keys' triggers are left out) on tables of the current schema.
- **SQL functions**: rows of `pg_proc` in the current schema that no extension owns
  (pg_trgm's and unaccent's own functions are left out; the project's wrappers count).
- **functions over 60 lines**: `def`s in `articles/` (methods and nested functions too)
  whose `def` line to last line spans more than 60 lines, decorators not counted.
- **places the visibility rule is written**: places that spell out "published and not
  later than now" instead of calling `published()`/`unpublished()`/`scheduled()` or the SQL
  fragment `public_sql()`. Found as: a Python statement that names the published status
  (`Status.PUBLISHED` or the string "published") together with an ordering comparison of
  a date (`<`, `<=`, `>`, `>=`, or a `published_at__lt/__lte/__gt/__gte` lookup); or a
  SQL string (a literal or f-string) with `status = 'published'` (or `status = %s`) and an
  ordering comparison of `published_at`. The definition itself (models.py) is one of them.
- **imports inside functions**: `import`/`from … import` statements whose scope is a
  function or method rather than the module. They hide an arrow of the import graph from a
  reader (and, when one dodges a circle, the circle too: the layers in pyproject.toml, which
  `make lint` checks, say which way imports go). The ones left load something costly only
  when it is needed (the statistical model, the gazetteer's data) or sit in entity modules.

Exit status 0; 2 if the database cannot be read (the code counts are still printed).
"""

import argparse
import ast
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "articles"
LONG_FUNCTION = 60
SQL_CALLEES = {"execute", "executemany", "raw", "extra"}
COMPOUND = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.For,
    ast.AsyncFor,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.Match,
)
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
DATE_LOOKUP = re.compile(r"published_at__(lt|lte|gt|gte)$")
SQL_STATUS = re.compile(r"status\s*=\s*('published'|%s|%\(\w+\)s)", re.IGNORECASE)
SQL_DATE_ORDER = re.compile(r"published_at\s*(<=|>=|<|>)|(<=|>=|<|>)\s*\w*\.?published_at\b", re.IGNORECASE)


def python_files():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" not in path.relative_to(ROOT).parts:
            yield path


def module_name(path):
    return str(path.relative_to(ROOT))


def raw_sql_sites(tree):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (isinstance(func, ast.Attribute) and func.attr in SQL_CALLEES) or (
            isinstance(func, ast.Name | ast.Attribute) and getattr(func, "id", getattr(func, "attr", "")) == "RawSQL"
        ):
            yield node.lineno


def long_functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > LONG_FUNCTION:
                yield node.lineno, node.name, length


def imports_in_functions(tree):
    """(line, function, module imported) of each import statement inside a function or method."""

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            scope = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            if function and isinstance(child, ast.Import):
                yield from ((child.lineno, function, alias.name) for alias in child.names)
            elif function and isinstance(child, ast.ImportFrom):
                names = "" if child.module else " (" + ", ".join(alias.name for alias in child.names) + ")"
                yield child.lineno, function, "." * child.level + (child.module or "") + names
            yield from visit(child, scope)

    yield from visit(tree, None)


def _names_published_status(node):
    for child in ast.walk(node):
        if isinstance(child, ast.Attribute) and child.attr == "PUBLISHED":
            return True
        if isinstance(child, ast.Constant) and child.value == "published":
            return True
    return False


def _compares_a_date(node):
    for child in ast.walk(node):
        if isinstance(child, ast.Compare) and any(isinstance(op, ORDERING) for op in child.ops):
            return True
        if isinstance(child, ast.keyword) and child.arg and DATE_LOOKUP.search(child.arg):
            return True
    return False


def _sql_text(node):
    """The text of a string literal or f-string (formatted parts left out)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return None


def visibility_rule_places(tree):
    places = set()
    for node in ast.walk(tree):
        text = _sql_text(node)
        if text is not None and SQL_STATUS.search(text) and SQL_DATE_ORDER.search(text):
            places.add(node.lineno)
        if isinstance(node, ast.If | ast.While):
            node = node.test  # a compound statement's own condition, not its body
        elif isinstance(node, COMPOUND) or not isinstance(node, ast.stmt):
            continue
        if _names_published_status(node) and _compares_a_date(node):
            places.add(node.lineno)
    return sorted(places)


def count_code():
    result = {"raw_sql": {}, "long_functions": [], "visibility_rule": [], "imports_in_functions": []}
    for path in python_files():
        name = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=name)
        sites = sorted(raw_sql_sites(tree))
        if sites:
            result["raw_sql"][name] = sites
        result["long_functions"] += [
            {"where": f"{name}:{line}", "function": fn, "lines": n} for line, fn, n in long_functions(tree)
        ]
        result["visibility_rule"] += [f"{name}:{line}" for line in visibility_rule_places(tree)]
        result["imports_in_functions"] += [
            {"where": f"{name}:{line}", "function": fn, "imports": module}
            for line, fn, module in imports_in_functions(tree)
        ]
    result["long_functions"].sort(key=lambda f: -f["lines"])
    return result


TRIGGERS_SQL = """
    SELECT c.relname || '.' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace ORDER BY 1
"""
FUNCTIONS_SQL = """
    SELECT p.proname FROM pg_proc p
     WHERE p.pronamespace = current_schema()::regnamespace
       AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                                 AND d.deptype = 'e')
     ORDER BY 1
"""


def count_schema():
    """(triggers, functions) of the live schema at DATABASE_URL, or None if it cannot be read."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute(TRIGGERS_SQL)
            triggers = [name for (name,) in cursor.fetchall()]
            cursor.execute(FUNCTIONS_SQL)
            functions = [name for (name,) in cursor.fetchall()]
    except DatabaseError as exc:
        print(f"count_structure: cannot read the schema at DATABASE_URL: {exc}".strip(), file=sys.stderr)
        return None
    return {"database": connection.settings_dict["NAME"], "triggers": triggers, "sql_functions": functions}


def report(code, schema, listing):
    sites = code["raw_sql"]
    total = sum(len(lines) for lines in sites.values())
    print(f"raw-SQL sites: {total} in {len(sites)} modules")
    for name, lines in sorted(sites.items(), key=lambda item: (-len(item[1]), item[0])):
        print(f"  {len(lines):3d}  {name}" + (f"  (lines {', '.join(map(str, lines))})" if listing else ""))
    if schema is not None:
        for key, label in (("triggers", "triggers"), ("sql_functions", "SQL functions")):
            print(f"{label} (live schema of {schema['database']}): {len(schema[key])}")
            if listing:
                print("".join(f"       {name}\n" for name in schema[key]), end="")
    print(f"functions over {LONG_FUNCTION} lines in articles/: {len(code['long_functions'])}")
    for function in code["long_functions"]:
        print(f"  {function['lines']:3d}  {function['where']} {function['function']}()")
    print(f"places the visibility rule is written: {len(code['visibility_rule'])}")
    for place in code["visibility_rule"]:
        print(f"       {place}")
    imports = code["imports_in_functions"]
    print(f"imports inside functions in articles/: {len(imports)}")
    if listing:
        for found in imports:
            print(f"       {found['where']} {found['function']}(): {found['imports']}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--list",
        action="store_true",
        help="also list each raw-SQL line, trigger, SQL function and import in a function",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--no-database", action="store_true", help="count the code only (no triggers, functions)")
    args = parser.parse_args(argv)
    code = count_code()
    schema = None if args.no_database else count_schema()
    if args.json:
        print(json.dumps({**code, **(schema or {})}, indent=1))
    else:
        report(code, schema, args.list)
    return 2 if schema is None and not args.no_database else 0


if __name__ == "__main__":
    sys.exit(main())
