"""A local-memory cache bounded by bytes as well as by entries.

Django's LocMemCache counts entries only: a thousand cached sitemap sections of
~1 MB each would hold a gigabyte in every worker. This one also keeps the total
size of the stored (pickled) values under OPTIONS["MAX_BYTES"], dropping the
least recently used entries first, and refuses a single value larger than a
tenth of the bound.
"""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

_sizes = {}  # cache name -> {key: bytes}, beside LocMemCache's own per-name stores


class BoundedLocMemCache(LocMemCache):
    def __init__(self, name, params):
        super().__init__(name, params)
        options = params.get("OPTIONS", {})
        self.max_bytes = int(options.get("MAX_BYTES", 64 * 1024 * 1024))
        self._sizes = _sizes.setdefault(name, {})

    @property
    def stored_bytes(self):
        with self._lock:
            return sum(self._sizes.get(key, 0) for key in self._cache)

    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        # `value` is pickled bytes (LocMemCache pickles before taking the lock).
        size = len(value)
        if size > self.max_bytes // 10:
            self._delete(key)
            return
        self._delete(key)
        super()._set(key, value, timeout)
        self._sizes[key] = size
        total = sum(self._sizes.get(k, 0) for k in self._cache)
        while total > self.max_bytes and self._cache:
            oldest, _ = self._cache.popitem()  # LocMemCache keeps the most recently used first
            self._expire_info.pop(oldest, None)
            total -= self._sizes.pop(oldest, 0)

    def _cull(self):
        super()._cull()
        for key in [k for k in self._sizes if k not in self._cache]:
            del self._sizes[key]

    def _delete(self, key):
        self._sizes.pop(key, None)
        return super()._delete(key)

    def clear(self):
        with self._lock:
            self._cache.clear()
            self._expire_info.clear()
            self._sizes.clear()
