"""server.memo: found values are remembered per engine for `ttl` seconds, and forgotten at
once when this process commits a change to a watched model."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from server.memo import Memo


class _Base(DeclarativeBase):
    pass


class Thing(_Base):
    __tablename__ = "things"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20))


class Other(_Base):
    __tablename__ = "others"
    id: Mapped[int] = mapped_column(primary_key=True)


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def counting_loader(values: list[str | None]):  # type: ignore[no-untyped-def]
    calls: list[int] = []

    def load() -> str | None:
        calls.append(1)
        return values[len(calls) - 1]

    return load, calls


def test_a_found_value_is_remembered_until_ttl_passes(session):
    clock = Clock()
    memo: Memo[str] = Memo("t", watch=[Thing], ttl=5, timer=clock)
    load, calls = counting_loader(["a", "b"])
    assert memo.get(session, "k", load) == "a"
    clock.now = 4.9
    assert memo.get(session, "k", load) == "a"
    assert len(calls) == 1
    clock.now = 5.1
    assert memo.get(session, "k", load) == "b"
    assert len(calls) == 2


def test_nothing_found_is_never_remembered(session):
    memo: Memo[str] = Memo("t", watch=[Thing])
    load, calls = counting_loader([None, None, "now there"])
    assert memo.get(session, "k", load) is None
    assert memo.get(session, "k", load) is None
    assert memo.get(session, "k", load) == "now there"
    assert len(calls) == 3


def test_a_commit_changing_a_watched_model_forgets_at_once(session):
    memo: Memo[str] = Memo("t", watch=[Thing])
    memo.put(session, "k", "old")
    session.add(Other())
    session.commit()
    assert memo.peek(session, "k") == "old"  # another model: nothing to forget
    session.add(Thing(name="x"))
    session.flush()
    assert memo.peek(session, "k") == "old"  # not committed yet
    session.commit()
    assert memo.peek(session, "k") is None


def test_a_rolled_back_change_forgets_nothing(session):
    memo: Memo[str] = Memo("t", watch=[Thing])
    memo.put(session, "k", "v")
    session.add(Thing(name="x"))
    session.flush()
    session.rollback()
    session.add(Other())
    session.commit()
    assert memo.peek(session, "k") == "v"


def test_engines_never_share_entries(session):
    memo: Memo[str] = Memo("t", watch=[Thing])
    memo.put(session, "k", "first database")
    other_engine = create_engine("sqlite://")
    with Session(other_engine) as other:
        assert memo.peek(other, "k") is None
    other_engine.dispose()
