"""The worker: django-q2's cluster, as `manage.py worker` starts it.

A cluster is a parent process guarding N worker processes (`--concurrency`, default
the number of cores), a pusher that takes tasks from the queue table and a monitor
that records results and acknowledges them. A worker process that dies is replaced;
the task it held is handed out again once `JOB_RETRY_SECONDS` have passed without
an acknowledgement. Run one cluster per host, on as many hosts as you like: they
take tasks from the one database, each task once at a time.

`burst`: stop once the queue is empty (nothing queued, nothing being worked on),
for scripts and tests.
"""

import logging
import signal
import time

from django.db import close_old_connections
from django_q.cluster import Cluster
from django_q.conf import Conf
from django_q.models import OrmQ

from ..entities.ner import load_model

logger = logging.getLogger(__name__)

IDLE_CHECKS = 3  # consecutive empty looks at the queue before a burst worker stops


def configure(concurrency):
    """Set the cluster's size before it starts (django-q2 reads its settings once, at import)."""
    Conf.WORKERS = concurrency
    # Tasks waiting in the cluster's own queue are taken from the table (and hidden from other
    # hosts for JOB_RETRY_SECONDS): keep no more than one per worker waiting.
    Conf.QUEUE_LIMIT = concurrency


def queue_empty():
    """No task queued and none being worked on (a task's row goes when it is acknowledged)."""
    close_old_connections()
    return not OrmQ.objects.using(Conf.ORM).exists()


def run(concurrency, *, burst=False, poll=1.0, preload_model=True):
    """Run a cluster until it is stopped (SIGTERM, SIGINT), or with `burst` until the queue is empty.

    `preload_model`: load the statistical model before the worker processes are forked, so
    they share its memory and none spends seconds loading it at its first extraction.
    """
    configure(concurrency)
    if preload_model:
        load_model()
    cluster = Cluster()
    cluster.start()
    if not burst:
        # The cluster's own handlers stop it on SIGTERM and SIGINT; wait for that.
        while cluster.sentinel.is_alive():
            cluster.sentinel.join(1)
        return
    try:
        idle = 0
        while idle < IDLE_CHECKS and cluster.sentinel.is_alive():
            idle = idle + 1 if queue_empty() else 0
            time.sleep(poll)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        cluster.stop()
