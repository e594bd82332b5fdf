"""The one rule for a password a person chooses (NIST SP 800-63B, §5.1.1.2 and §3.1.1.2).

Every place a password is chosen asks this module: a web user created with `--password`, a
password change, a phone user created with `--password`; generated passwords are checked too.

- Length: at least 10 characters, at most 128 (NIST: at least 8, allow at least 64). Any
  characters, spaces included; no composition rules.
- Not guessable: zxcvbn estimates the guesses an attacker needs, knowing common passwords,
  dictionary words and names (its frequency lists are the blocklist NIST asks for), keyboard
  patterns, repeats, sequences and dates; the username, the person's name and the service's
  name count as words too. Fewer than 10^8 guesses (zxcvbn's score below 3) is refused.
- Not containing the username (NIST's "context-specific words").
- Phone users only: ASCII, because ODK Collect encodes Digest credentials as US-ASCII.

Pure: no Flask, no database. Each problem is one message, Chinese first, then English.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: at least 10^8 guesses
SERVICE_WORDS = ("fangfan", "防返")

# zxcvbn keeps the user inputs of a call in a module-level dictionary (matching.py), so two
# threads checking at once could see each other's words: one check at a time.
_ZXCVBN_LOCK = threading.Lock()

# What zxcvbn found, as a person would say it: (its pattern or dictionary, Chinese, English).
_FOUND = (
    ("passwords", "常见密码", "a common password"),
    ("user_inputs", "用户名、姓名或系统名称", "your username, name or the service's name"),
    ("dictionary", "常用词或人名", "a common word or name"),
    ("repeat", "重复的字符", "repeated characters"),
    ("sequence", "123、abc 之类的连续字符", "a sequence such as 123 or abc"),
    ("spatial", "qwerty 之类的相邻按键", "neighbouring keys such as qwerty"),
    ("date", "日期", "a date"),
    ("regex", "年份", "a year"),
)


def password_problems(
    password: str, *, username: str, names: Sequence[str] = (), ascii_only: bool = False
) -> list[str]:
    """What is wrong with `password` for this user; an empty list when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return [
            f"密码至少 {MIN_LENGTH} 个字符 / the password needs at least {MIN_LENGTH} characters"
        ]
    if len(password) > MAX_LENGTH:
        return [
            f"密码最多 {MAX_LENGTH} 个字符 / the password may have at most {MAX_LENGTH} characters"
        ]
    problems = []
    if ascii_only and not password.isascii():
        problems.append(
            "手机端密码只能用英文字母、数字和符号 / a phone password may use only ASCII letters, "
            "digits and symbols (ODK Collect's login)"
        )
    if username and username.lower() in password.lower():
        problems.append("密码不能包含用户名 / the password must not contain the username")
    words = [username, *SERVICE_WORDS, *names, *(part for name in names for part in name.split())]
    found = _guessable(password, words)
    if found is not None:
        problems.append(
            f"密码太容易被猜到（{'、'.join(zh for zh, _ in found) or '太简单'}） / the password is "
            f"too easy to guess ({', '.join(en for _, en in found) or 'too simple'})"
        )
    return problems


def _guessable(password: str, words: list[str]) -> list[tuple[str, str]] | None:
    """None if zxcvbn finds the password hard enough to guess, else what made it easy."""
    # Imported on first use: its word lists take ~13 MB and 40 ms, which no server process
    # should pay at start (passwords are chosen rarely; phones never do).
    from zxcvbn import zxcvbn

    with _ZXCVBN_LOCK:
        result = zxcvbn(password, user_inputs=[w for w in words if w], max_length=MAX_LENGTH)
    if result["score"] >= MIN_SCORE:
        return None
    kinds = {match.get("dictionary_name", match["pattern"]) for match in result["sequence"]}
    if kinds & {"english_wikipedia", "us_tv_and_film", "surnames", "male_names", "female_names"}:
        kinds.add("dictionary")
    return [(zh, en) for kind, zh, en in _FOUND if kind in kinds]
