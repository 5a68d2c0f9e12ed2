"""Queries that pages run on every request, planned once per database connection.

Rendering an uncached article page spends about as long turning its QuerySet into SQL
(the ORM compiling the author join and the tags', entities' and related articles' JSON
subqueries: ~0.9 ms) and PostgreSQL planning it (~0.5 ms) as on everything the query then
does. A `PreparedQuery` keeps the QuerySet as the one definition of what is read: it is
compiled once per process with a placeholder for the value that changes (the slug), then
PREPAREd on each connection the first time that connection runs it (in the same round
trip as its first EXECUTE, so the page's query count does not change) and from then on
run as `EXECUTE name(value)`: no compiling, no planning. The rows become model instances
as the QuerySet's own would (Django's compiler converts them; select_related objects and
annotations included).

A prepared statement lives as long as its connection (CONN_MAX_AGE). Behind PgBouncer in
transaction pooling mode a connection's statements are not its own: set
PREPARED_STATEMENTS=0 there, and the query is sent as plain SQL (still compiled once).

The search page's results with words (articles/search.py, MARKED_RESULTS) are prepared the
same way with three values (the page's ids as one array, the words, their stems): building and
compiling that QuerySet took 3 ms of Python on every search.

`PreparedStatement` is the same for a statement written in SQL: the page cache's lookup
(articles/pagecache.py), which PostgreSQL took longer to plan (0.24 ms) than to run (0.12).
"""

import threading
import weakref

from django.conf import settings
from django.db import connections, router
from django.db.models.query import get_related_populators

_PLACEHOLDER = "\x00prepared-query-value\x00"  # stands for the value while compiling; never a real one


def _placeholders(count):
    """What stands for each of `count` values while compiling (the first is _PLACEHOLDER)."""
    return ([_PLACEHOLDER] if count else []) + [f"\x00prepared-query-value-{number}\x00" for number in range(1, count)]


PREPARED, UNSURE = "prepared", "unsure"  # what a connection has of a statement


class PreparedStatement:
    """One SQL statement with %s parameters, PREPAREd on each connection the first time it runs
    there (in the same round trip as its first EXECUTE) and EXECUTEd from then on."""

    _names = set()  # a statement's name is its own on every connection

    def __init__(self, name):
        if not name.isidentifier() or name in PreparedStatement._names:
            raise ValueError(f"{name!r}: a prepared statement needs a name of its own (an identifier)")
        PreparedStatement._names.add(name)
        self.name = name
        self._prepared_on = weakref.WeakKeyDictionary()  # DB-API connection -> PREPARED, UNSURE or None

    def execute(self, connection, cursor, sql, params):
        """Run `sql` (the statement's SQL; the same every time) with `params` on `cursor` of `connection`."""
        raw = connection.connection
        arguments = f"({', '.join(['%s'] * len(params))})" if params else ""  # EXECUTE name, without values
        if not settings.PREPARED_STATEMENTS:
            cursor.execute(sql, params)
            return
        if self._prepared_on.get(raw) == UNSURE:
            # A first run failed: its PREPARE may have stayed (a prepared statement outlives a
            # rollback and a failed EXECUTE after it), and preparing again would be an error.
            cursor.execute("SELECT EXISTS (SELECT FROM pg_prepared_statements WHERE name = %s)", [self.name])
            self._prepared_on[raw] = PREPARED if cursor.fetchone()[0] else None
        if self._prepared_on.get(raw) == PREPARED:
            cursor.execute(f"EXECUTE {self.name}{arguments}", params)
            return
        # $1, $2…: their types are inferred from their use.
        numbered = sql % tuple(f"${number}" for number in range(1, len(params) + 1))
        prepare = f"PREPARE {self.name} AS {numbered}".replace("%", "%%")
        self._prepared_on[raw] = UNSURE
        cursor.execute(f"{prepare}; EXECUTE {self.name}{arguments}", params)
        self._prepared_on[raw] = PREPARED


class PreparedQuery:
    """`PreparedQuery("article_page", lambda value: Article.objects.….filter(slug=value))`;
    `.fetch(slug)` returns the model instances the QuerySet would.

    With `values=N`, `make_queryset` takes N values and `.fetch(a, b, …)` passes them; each must
    be used at least once (a value used twice is sent twice). With `values=0` the QuerySet takes
    none (the site's feed: the same query every time, only planned once). A value that is a list is best
    used as one array parameter (`= ANY(%s)`), not through `__in`, which makes one per item.
    """

    def __init__(self, name, make_queryset, *, values=1):
        self.statement = PreparedStatement(name)
        self.name = name
        self.make_queryset = make_queryset
        self.placeholders = _placeholders(values)
        self._compiled = {}  # database alias -> (compiler, sql with %s for the values, which value each %s is)
        self._model = None
        self._lock = threading.Lock()

    def fetch(self, *values):
        if len(values) != len(self.placeholders):
            raise TypeError(f"{self.name}: {len(self.placeholders)} values, not {len(values)}")
        if self._model is None:
            self._model = self.make_queryset(*self.placeholders).model
        alias = router.db_for_read(self._model)
        compiler, sql, order = self._compile(alias)
        connection = connections[alias]
        with connection.cursor() as cursor:
            self.statement.execute(connection, cursor, sql, [values[index] for index in order])
            rows = cursor.fetchall()
        return list(self._instances(compiler, alias, rows))

    def _compile(self, alias):
        """(the compiler, its SQL with every parameter inlined but a %s for each use of a value,
        and which value each %s is), once per alias: building the QuerySet costs about as much as
        compiling it."""
        if alias not in self._compiled:
            with self._lock:
                compiler = self.make_queryset(*self.placeholders).query.get_compiler(using=alias)
                sql, params = compiler.as_sql()  # also fills compiler.select, klass_info, annotation_col_map
                if len(self.placeholders) == 1 and params.count(_PLACEHOLDER) != 1:
                    raise ValueError(f"{self.name}: the query must use its value exactly once")
                order = [self.placeholders.index(param) for param in params if _is_placeholder(param, self)]
                if set(order) != set(range(len(self.placeholders))):
                    raise ValueError(f"{self.name}: the query must use each of its values")
                with connections[alias].cursor() as cursor:
                    literals = tuple(
                        "%s"
                        if _is_placeholder(param, self)
                        else cursor.mogrify("%s", [param]).decode().replace("%", "%%")
                        for param in params
                    )
                self._compiled[alias] = (compiler, sql.replace("%%", "%%%%") % literals, order)
        return self._compiled[alias]

    @staticmethod
    def _instances(compiler, alias, rows):
        """Model instances from `rows`, as Django's ModelIterable makes them."""
        select, klass_info, annotations = compiler.select, compiler.klass_info, compiler.annotation_col_map
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, alias)
        for row in compiler.results_iter([rows]):
            obj = klass_info["model"].from_db(alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in (annotations or {}).items():
                setattr(obj, name, row[position])
            yield obj


def _is_placeholder(param, query):
    return isinstance(param, str) and param in query.placeholders
