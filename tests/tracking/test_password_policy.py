"""The NIST SP 800-63B password policy, as accounts apply it, on DuckDB and PostgreSQL.

The pure checks run once; what touches the store (refusals leave no user behind, the
normalised form signs in, hashes made before the policy still verify) runs on both backends.
"""

from __future__ import annotations

import unicodedata

import pytest

from clusterix.errors import InvalidInputError
from clusterix.tracking import accounts, authenticate, create_user, list_users
from clusterix.tracking.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    check_password,
    normalise_password,
)

GOOD = "tram violet kettle orbit"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (" " * 12, "15 to 1024"),
        (" " * 15, "white space"),
        ("\t \u3000" * 5, "white space"),  # tabs and ideographic spaces are white space too
        ("x" * (MIN_PASSWORD_LENGTH - 1), "this one has 14"),
        ("x" * (MAX_PASSWORD_LENGTH + 1), "this one has 1,025"),
        ("1qaz2wsx3edc4rfv", "most commonly used"),  # a keyboard walk from the leaked lists
        ("1QAZ2WSX3EDC4RFV", "most commonly used"),  # case does not disguise it
        ("123456789012345", "easy to guess"),  # a sequence
        ("passwordpassword", "easy to guess"),  # a repeated common word
        ("aaaaaaaaaaaaaaa", "easy to guess"),  # one character repeated
        ("ab" * 40, "repeats a few characters"),  # beyond the estimator's 72 characters
        ("qwertyuiopasdfgh", "easy to guess"),  # a keyboard row
    ],
)
def test_the_policy_refuses_what_nist_asks_to_refuse(password: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        check_password(password)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",  # words, lower case, no digit: no composition rules
        GOOD,
        "Grüße aus Südtirol, Bozen 2026",  # Unicode and spaces are allowed
        "ľadový čaj na Štrbskom plese",
        "月曜日の朝は静かな図書館で本を読む",  # 17 characters, no Latin letter at all
        "river stone " + "x7Kq" * 30,  # long: beyond the estimator, not a repetition
    ],
)
def test_the_policy_accepts_passphrases(password: str) -> None:
    assert check_password(password) == unicodedata.normalize("NFKC", password)


def test_the_account_s_own_details_are_refused() -> None:
    email = "marta.novakova@vsb-example.cz"
    with pytest.raises(InvalidInputError, match="e-mail address or name"):
        check_password(email, context=(email,))
    with pytest.raises(InvalidInputError, match="easy to guess"):
        check_password("marta.novakova2026", context=(email, "Marta Novakova"))
    with pytest.raises(InvalidInputError, match="easy to guess"):
        check_password("clusterixclusterix")
    # Without the context the same text is a fine password: the refusal comes from the context.
    assert check_password("marta.novakova2026 orbit")


def test_length_counts_after_normalisation() -> None:
    # U+FB03 (ffi ligature) is one character that stands for three.
    short = "\ufb03" * 5
    assert len(short) == 5 and len(normalise_password(short)) == 15
    # Full-width letters stand for ASCII ones: what is checked is the ASCII common password.
    with pytest.raises(InvalidInputError, match="most commonly used"):
        check_password("".join(chr(ord(c) + 0xFEE0) for c in "1qaz2wsx3edc4rfv"))


def test_a_password_must_be_text() -> None:
    with pytest.raises(InvalidInputError, match="must be text, not int"):
        check_password(123456789012345678)


def test_a_refused_password_creates_no_user(store, world) -> None:
    before = len(list_users(store, actor=world.admin))
    for weak in (" " * 15, "1qaz2wsx3edc4rfv", "newcomer@example.org"):
        with pytest.raises(InvalidInputError):
            create_user(store, "newcomer@example.org", weak, organisation_id="A", actor=world.admin)
    assert len(list_users(store, actor=world.admin)) == before
    assert authenticate(store, "newcomer@example.org", " " * 15) is None


def test_a_password_is_hashed_and_checked_in_its_normalised_form(store, world) -> None:
    # Typed with full-width letters on one keyboard, with ASCII on another: the same password.
    ascii_form = "tram violet kettle"
    wide = "".join(chr(ord(c) + 0xFEE0) if c != " " else "\u3000" for c in ascii_form)
    assert normalise_password(wide) == ascii_form
    create_user(store, "wide@example.org", wide, organisation_id="A", actor=world.admin)
    assert authenticate(store, "wide@example.org", ascii_form) is not None
    assert authenticate(store, "wide@example.org", wide) is not None
    assert authenticate(store, "wide@example.org", ascii_form + "x") is None


def test_a_hash_made_before_the_policy_still_verifies(store, world) -> None:
    # Before the policy the raw text was hashed: an account whose password has a ligature
    # must still sign in with exactly what it typed.
    legacy = "o\ufb03ce kettle orbit"
    user = create_user(store, "legacy@example.org", GOOD, organisation_id="A", actor=world.admin)
    store.database.execute("UPDATE users SET password_hash = ? WHERE id = ?", (accounts._hasher.hash(legacy), user.id))
    assert authenticate(store, "legacy@example.org", legacy) is not None
    assert authenticate(store, "legacy@example.org", GOOD) is None
