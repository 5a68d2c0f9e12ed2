"""Gunicorn settings for Newsroom; `gunicorn newsroom.wsgi` reads this file.

PORT (default 8000) and BIND_HOST (default 127.0.0.1) choose the address;
WEB_CONCURRENCY the number of worker processes (default: 2 per core + 1);
CONTROL_SOCKET the control socket's path (default: one per address, see below).
Access and error logs go to standard output.
"""

import gc
import multiprocessing
import os

from gunicorn import glogging

bind = f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# gunicorn's control socket (for `gunicornc`), one per address: its default, one
# $XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl for every gunicorn on the host, was
# taken over by the next one started and deleted when any of them stopped. Same folder, the
# address in the name (two servers cannot share an address); CONTROL_SOCKET sets another path.
_runtime = os.environ.get("XDG_RUNTIME_DIR", "")
_control_dir = _runtime if _runtime and os.path.isdir(_runtime) else os.path.join(os.path.expanduser("~"), ".gunicorn")
control_socket = os.environ.get("CONTROL_SOCKET") or os.path.join(
    _control_dir, f"gunicorn-{bind.replace(':', '-').replace('/', '_')}.ctl"
)
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Load the application once in the master so workers fork with it already imported.
preload_app = True


def pre_fork(server, worker):
    """Freeze what the master has loaded before forking a worker: the application's ~90,000
    objects (Django, the URLconf, the templates) are left out of the worker's garbage
    collections, which otherwise scan them all again and again (about 30,000 instructions per
    request averaged over 1,100 requests of the minimal view, scripts/count_instructions.py), and
    the collector's writes no longer copy the master's memory pages into each worker."""
    gc.freeze()


# No request header may set the WSGI environ's SCRIPT_NAME or PATH_INFO, whatever address it
# comes from (gunicorn's default trusts them from forwarded_allow_ips, the loopback): a
# forged `SCRIPT_NAME: /tags` made /tags/ render the home page with every link under /tags/.
# Headers whose names hold an underscore are dropped. The script prefix is the settings'
# FORCE_SCRIPT_NAME alone.
forwarder_headers = ""
header_map = "drop"
accesslog = "-"
errorlog = "-"
# One key=value line per request, like the application's own log lines (newsroom/logfmt.py):
#   logger=gunicorn.access client=127.0.0.1 method=GET path="/tags/energy/" query="page=2" status=200 ...
# `cache` is the page cache's X-Cache header: hit, miss, or "-" for pages it does not keep.
access_log_format = (
    'logger=gunicorn.access client=%(h)s method=%(m)s path="%(U)s" query="%(q)s" '
    'status=%(s)s bytes=%(B)s ms=%(M)s cache=%({x-cache}o)s agent="%(a)s"'
)


class LogfmtLogger(glogging.Logger):
    """gunicorn's logger with every value escaped: a decoded path holds whatever the client
    sent (%0A is a newline, %22 a quote), which must not start a line or end a field."""

    _escapes = str.maketrans({"\\": "\\\\", '"': '\\"', **{c: f"\\x{c:02x}" for c in [*range(32), 127]}})

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: value.translate(self._escapes) if isinstance(value, str) else value for key, value in atoms.items()
        }


logger_class = LogfmtLogger
