"""Password hashing with argon2id, and the rules a new password must pass."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ugc.errors import InvalidInput

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; constant work when there is no hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled list of passwords attackers try first (read once, on first use)."""
    text = resources.files("ugc.auth").joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def check_new_password(password: str, email: str | None = None) -> None:
    """Refuse a password that is too short or long, blank, or one attackers guess first."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Use a password of at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"Use a password of at most {MAX_PASSWORD_LENGTH} characters.")
    if not password.strip():
        raise InvalidInput("A password cannot be only spaces. Choose one with letters or digits.")
    folded = password.strip().lower()
    if len(set(folded)) == 1:
        raise InvalidInput("A password cannot be one character repeated. Choose another.")
    local_part = (email or "").partition("@")[0].lower()
    if folded in common_passwords() or (len(local_part) >= 4 and folded == local_part):
        raise InvalidInput(
            "This password is one of the most common, the first that attackers try. "
            "Choose another: a few unrelated words make a strong one."
        )
