"""Short-lived memory of hot lookups, so a phone's HEAD and POST need no query to find out
who it is, which form version it names and which villages it may work in.

Every submission needs the same few facts (the app user, the form version, the user's villages,
the village of the household named), and a phone that comes back from a week offline sends
dozens of forms in a row. Reading them once every few seconds instead of for every request is
most of what separates 150 from 400 submissions a second.

The rules that keep this honest:
- only what was found is remembered: an unknown token, form or household is always read again,
  so a new household or a newly published form is seen at once;
- entries live `ttl` seconds (5 by default), which bounds how long another server process can
  act on an old fact, such as a revoked phone, after it changed;
- in this process, a commit that changed a watched model (an app user, an area…) through the
  ORM forgets that memo's entries at once, so the change is seen at once where it was made;
- entries belong to one database engine, so two apps in one process never share them.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

from cachetools import TTLCache
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

V = TypeVar("V")
DEFAULT_TTL = 5.0
_memos: weakref.WeakSet[Memo[Any]] = weakref.WeakSet()


class Memo(Generic[V]):
    """Values found by key, per database engine, for `ttl` seconds."""

    def __init__(
        self,
        name: str,
        *,
        watch: Iterable[type],
        ttl: float = DEFAULT_TTL,
        size: int = 10_000,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.watch = tuple(watch)
        self.ttl = ttl
        self._size = size
        self._timer = timer
        self._lock = threading.Lock()
        self._caches: weakref.WeakKeyDictionary[Engine, TTLCache[Hashable, V]] = (
            weakref.WeakKeyDictionary()
        )
        _memos.add(self)

    def get(self, session: Session, key: Hashable, load: Callable[[], V | None]) -> V | None:
        """The remembered value, or `load()`'s (remembered only if it found one)."""
        found = self.peek(session, key)
        if found is not None:
            return found
        value = load()
        if value is not None:
            self.put(session, key, value)
        return value

    def peek(self, session: Session, key: Hashable) -> V | None:
        with self._lock:
            return self._cache(session).get(key)

    def put(self, session: Session, key: Hashable, value: V) -> None:
        with self._lock:
            self._cache(session)[key] = value

    def forget(self) -> None:
        with self._lock:
            self._caches.clear()

    def _cache(self, session: Session) -> TTLCache[Hashable, V]:
        engine = session.get_bind().engine
        cache = self._caches.get(engine)
        if cache is None:
            cache = self._caches[engine] = TTLCache(
                maxsize=self._size, ttl=self.ttl, timer=self._timer
            )
        return cache


def forget_all() -> None:
    for memo in list(_memos):
        memo.forget()


@event.listens_for(Session, "after_flush")
def _note_changed_models(session: Session, _context: Any) -> None:
    changed = session.info.setdefault("memo_changed", set())
    for instance in (*session.new, *session.dirty, *session.deleted):
        changed.add(type(instance))


@event.listens_for(Session, "after_commit")
def _forget_changed(session: Session) -> None:
    changed = session.info.pop("memo_changed", None)
    if not changed:
        return
    for memo in list(_memos):
        if any(issubclass(model, memo.watch) for model in changed):
            memo.forget()


@event.listens_for(Session, "after_rollback")
def _drop_notes(session: Session) -> None:
    session.info.pop("memo_changed", None)
