"""Run work in threads that start together: the shape of every in-process race test."""

import threading

from django.db import connections


def all_at_once(count: int, work) -> list:
    """Run `work(n)` in `count` threads released together; return what each returned.

    An exception is returned in its place (the assertions report it); each thread closes
    its own database connections when done.
    """
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(n):
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as unexpected:  # reported by the assertions
            results[n] = unexpected
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
