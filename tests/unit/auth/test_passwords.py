"""The password rule (NIST SP 800-63B): length, a blocklist of guessable passwords, no username."""

from __future__ import annotations

import pytest

from server.auth.passwords import MAX_LENGTH, password_problems


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("short-9ch", "at least 10 characters"),
        ("aaaaaaaaaa", "repeated characters"),
        ("1234567890", "a common password"),
        ("qwertyuiop", "a common password"),
        ("password123", "a common password"),
        ("iloveyou1234", "a common password"),
        ("ada1234567890", "must not contain the username"),
        ("1990Ada2024", "must not contain the username"),
        ("lovelace1815", "your username, name or the service's name"),
        ("fangfan2026", "your username, name or the service's name"),
        ("防返防返防返防返防返", "too easy to guess"),
        ("x" * (MAX_LENGTH + 1), f"at most {MAX_LENGTH} characters"),
    ],
)
def test_guessable_short_or_personal_passwords_are_refused(password: str, says: str):
    problems = password_problems(password, username="ada", names=["Ada Lovelace"])
    assert any(says in problem for problem in problems), problems
    assert all(" / " in problem for problem in problems)  # Chinese first, then English


@pytest.mark.parametrize(
    "password",
    [
        "Tr4ffic-cone-harbour",
        "梁坝村的春天来得早 2026",  # Chinese and spaces are characters like any other
        "correct horse battery staple " * 2,  # a long passphrase (58 characters)
        "k" + "7Gq2-xW9p" * 14,  # 127 characters: longer than NIST's 64
    ],
)
def test_long_or_unusual_passwords_are_accepted_without_composition_rules(password: str):
    assert password_problems(password, username="ada", names=["Ada Lovelace"]) == []


def test_phone_passwords_must_be_ascii_for_collects_digest_login():
    problems = password_problems("梁坝村的春天来得早 2026", username="eli", ascii_only=True)
    assert any("ASCII" in problem for problem in problems)
