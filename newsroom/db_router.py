"""Read queries to a replica, when DATABASE_REPLICA_URL configures one (alias "replica").

Only a reader's request reads from the replica: a GET or HEAD without a session
cookie outside the admin (articles.pagecache.PageCacheMiddleware marks it with
`replica_reads()`). Everything else stays on the primary: the admin, every POST,
signed-in staff (who must see what they have just saved), management commands
(ingest reads what it wrote), and any query inside a transaction. Writes always go
to the primary, and only the primary is migrated.
"""

import contextvars

from django.db import connections

REPLICA = "replica"

_replica_allowed = contextvars.ContextVar("replica_allowed", default=False)


class replica_reads:  # noqa: N801 - used as a function: `with replica_reads():`
    """Within this block, reads outside a transaction may go to the replica.

    A class rather than a @contextmanager generator: it wraps every reader's request, and a
    generator-based context manager costs several times as much to enter and leave.
    """

    __slots__ = ("_token",)

    def __enter__(self):
        self._token = _replica_allowed.set(True)

    def __exit__(self, *exc_info):
        _replica_allowed.reset(self._token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _replica_allowed.get() or REPLICA not in connections.settings:
            return "default"
        if connections["default"].in_atomic_block:
            return "default"  # read what this transaction wrote
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two doors

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
