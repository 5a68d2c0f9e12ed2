"""Commands that queue a job print the job's number, the one the admin's Jobs list shows."""

import contextlib
import logging


@contextlib.contextmanager
def without_task_numbers():
    """Keep django-q2's "Enqueued [newsroom] 9" lines (its own task numbers, logged at INFO
    for each task handed to the queue) off an operator's terminal while a command queues a job.

    Workers and web processes still log them (settings.LOGGING).
    """
    logger = logging.getLogger("django-q")
    level = logger.level
    logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)
