"""The one throttling rule of logins, web and phone, counted in the shared state.

A throttle counts events (web: every login attempt; phones: failed logins only) per subject: a
user name, a client address. A subject with `amount` events within the last `seconds` is
refused until the `amount`-th newest of them is `seconds` old, which is the Retry-After. So a
limit is a moving window, and attempts made while refused count too (a guesser who keeps
trying stays refused). Limits are written as in Flask-Limiter ("10 per 15 minutes; 50 per
day") and parsed by the `limits` library.

The counts live in server.shared_state, so every server process refuses alike. A throttle keeps
for each subject only its newest `max(amount) + 1` times, and `check` reads them in the same
round trip as a Digest nonce count (the only store call a Digest phone pays per request).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from limits import parse_many

from server.core.clock import timestamp
from server.shared_state import Mark, SharedState


@dataclass(frozen=True, slots=True)
class Limit:
    amount: int
    seconds: int


def parse_limits(text: str) -> tuple[Limit, ...]:
    """ "10 per minute; 50 per hour" → (Limit(10, 60), Limit(50, 3600))."""
    return tuple(Limit(item.amount, item.get_expiry()) for item in parse_many(text))


class Throttled(Exception):
    """`kind` (e.g. "user", "address") is refused for `retry_after` more seconds."""

    def __init__(self, kind: str, retry_after: int) -> None:
        super().__init__(f"{kind} throttled for {retry_after} s")
        self.kind = kind
        self.retry_after = retry_after


class Throttle:
    """Counts events per subject; `limits` maps a kind of subject to its limits."""

    def __init__(
        self,
        state: SharedState,
        name: str,
        limits: Mapping[str, Sequence[Limit]],
        *,
        clock: Callable[[], float] = timestamp,
    ) -> None:
        self.state = state
        self.name = name
        self.limits = {kind: tuple(items) for kind, items in limits.items()}
        self.clock = clock
        every = [limit for items in self.limits.values() for limit in items]
        self._keep = max(limit.amount for limit in every) + 1
        self._ttl = max(limit.seconds for limit in every)

    def check(self, subjects: Mapping[str, str], *, mark: Mark | None = None) -> bool:
        """Raise Throttled if a subject has reached a limit. Adds `mark` in the same round trip
        and returns whether it was new (see SharedState.read)."""
        new, logs = self.state.read(self._keys(subjects), mark=mark)
        self._judge(subjects, logs, self.clock(), counting_this=False)
        return new

    def count(self, subjects: Mapping[str, str]) -> None:
        """Count one event for each subject; raise Throttled if one had reached a limit."""
        now = self.clock()
        logs = self.state.append(self._keys(subjects), at=now, keep=self._keep, ttl=self._ttl)
        self._judge(subjects, logs, now, counting_this=True)

    def _keys(self, subjects: Mapping[str, str]) -> list[str]:
        return [f"{self.name}:{kind}:{who}" for kind, who in subjects.items()]

    def _judge(
        self,
        subjects: Mapping[str, str],
        logs: Sequence[Sequence[float]],
        now: float,
        *,
        counting_this: bool,
    ) -> None:
        waits = []
        for kind, log in zip(subjects, logs, strict=True):
            for limit in self.limits[kind]:
                recent = [t for t in log if t > now - limit.seconds]
                before_this = len(recent) - 1 if counting_this else len(recent)
                if before_this >= limit.amount:
                    waits.append((recent[-limit.amount] + limit.seconds - now, kind))
        if waits:
            wait, kind = max(waits)
            raise Throttled(kind, max(1, math.ceil(wait)))
