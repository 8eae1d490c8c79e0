"""What is read of an event once per version of it (`Event.updated`), kept in each process's
memory and in the shared cache.

The models it is read from move the event's version on when they change (each app's
`versioning.py`), so a kept value is never older than the event it belongs to: a new version
is a new key, and the old ones fall out of memory (the few most recent are kept) and expire
from the cache. A hit in memory unpickles nothing.
"""

from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache

T = TypeVar("T")


class PerVersion(Generic[T]):
    """`get(event)`: `read(event)` once per version of the event, kept under `prefix`."""

    def __init__(
        self, prefix: str, read: Callable[..., T], *, kept: int = 16, seconds: int = 3600
    ) -> None:
        self.prefix, self.read, self.kept, self.seconds = prefix, read, kept, seconds
        self._memory: dict[tuple[int, str], T] = {}

    def get(self, event) -> T:
        version = event.updated.isoformat() if event.updated else ""
        key = (event.pk, version)
        found = self._memory.get(key)
        if found is not None:
            return found
        cache_key = f"{self.prefix}:{event.pk}:{version}"
        found = cache.get(cache_key)
        if found is None:
            found = self.read(event)
            cache.set(cache_key, found, self.seconds)
        if len(self._memory) >= self.kept:
            self._memory.pop(next(iter(self._memory)))
        self._memory[key] = found
        return found

    def forget(self) -> None:
        """Forget what this process keeps (for tests that clear the cache)."""
        self._memory.clear()
