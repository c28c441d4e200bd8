"""The password policy of accounts, after NIST SP 800-63B (revision 4, section 3.1.1.2).

What the guideline asks of a verifier, and how clusterix does it:

- at least 15 characters for a password that is the only factor (counted after Unicode
  NFKC normalisation, so a ligature or a full-width letter counts as what it stands for),
  and at least 64 allowed: up to :data:`MAX_PASSWORD_LENGTH`; every printable character,
  spaces and Unicode included;
- no composition rules (no "one digit, one capital") and no forced periodic change;
- a check against a block list of commonly used, expected or compromised values: the
  30,000 most common passwords of ``zxcvbn``'s frequency lists (from leaked password
  corpora), the account's own e-mail address and name, and the service's name; and, for
  passwords short enough to be analysed (:data:`ESTIMATED_LENGTH`), ``zxcvbn``'s guess
  estimate, which also catches repetitions (``aaaaaaaaaaaaaaa``, ``passwordpassword``),
  sequences (``123456789012345``), keyboard walks and those words in disguise; a password
  it expects to fall in fewer than 10^8 guesses (score below 3) is refused, with its hint;
- a password of only white space is refused outright.

References
----------
.. [1] D. Temoshok et al., "Digital Identity Guidelines: Authentication and Authenticator
   Management", NIST SP 800-63B-4, 2025, section 3.1.1.2, https://doi.org/10.6028/NIST.SP.800-63B-4
.. [2] D. L. Wheeler, "zxcvbn: Low-Budget Password Strength Estimation", USENIX Security 2016.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache

from clusterix.errors import InvalidInputError

__all__ = ["ESTIMATED_LENGTH", "MAX_PASSWORD_LENGTH", "MIN_PASSWORD_LENGTH", "check_password", "normalise_password"]

MIN_PASSWORD_LENGTH = 15
"""Shortest password accepted (NIST SP 800-63B-4: 15 for a single-factor password)."""
MAX_PASSWORD_LENGTH = 1024
"""Longest password accepted (the guideline asks for at least 64)."""
ESTIMATED_LENGTH = 72
"""Passwords up to this length get ``zxcvbn``'s guess estimate (its own limit)."""
MIN_SCORE = 3
"""Lowest ``zxcvbn`` score accepted: 3 means at least 10^8 guesses expected."""
_SERVICE_WORDS = ("clusterix",)


def normalise_password(password: str) -> str:
    """``password`` in Unicode NFKC form: what is counted, checked and hashed."""
    return unicodedata.normalize("NFKC", password)


def check_password(password: object, *, context: Iterable[str] = ()) -> str:
    """Return ``password`` normalised (NFKC) if the policy accepts it, else raise.

    Parameters
    ----------
    password : object
        The proposed password.
    context : iterable of str
        Words specific to the account that must not make up the password: its e-mail
        address, name, organisation.

    Returns
    -------
    str
        The NFKC-normalised password, to be hashed.

    Raises
    ------
    InvalidInputError
        Not text; shorter than 15 or longer than 1,024 characters; only white space; a
        common password or the account's own details; easy to guess (with the hint why).

    References
    ----------
    NIST SP 800-63B-4, section 3.1.1.2 (module docstring).
    """
    if not isinstance(password, str):
        raise InvalidInputError(f"A password must be text, not {type(password).__name__}.")
    password = normalise_password(password)
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInputError(
            f"A password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long "
            f"(this one has {len(password):,}); a few unrelated words make a good one."
        )
    if not password.strip():
        raise InvalidInputError("A password must not be only spaces or other white space.")
    folded = password.casefold()
    words = [word.casefold() for word in _context_words(context)]
    if folded in _common_passwords() or "".join(folded.split()) in _common_passwords():
        raise InvalidInputError("This password is one of the most commonly used passwords; choose another.")
    if any(folded == word or "".join(folded.split()) == word for word in words):
        raise InvalidInputError("A password must not be the account's e-mail address or name.")
    if len(password) <= ESTIMATED_LENGTH:
        from zxcvbn import zxcvbn

        estimate = zxcvbn(password, user_inputs=words)
        if estimate["score"] < MIN_SCORE:
            hint = estimate["feedback"]["warning"] or "It follows a pattern that is easy to guess."
            raise InvalidInputError(
                f"This password is easy to guess: {hint.rstrip('.')}. A few unrelated words make a good one."
            )
    elif _repeats_a_short_unit(folded):
        raise InvalidInputError("This password repeats a few characters over and over; choose another.")
    return password


def _context_words(context: Iterable[str]) -> list[str]:
    words = list(_SERVICE_WORDS)
    for item in context:
        if not item:
            continue
        words.append(item)
        if "@" in item:  # an e-mail: its local part and the domain's first label too
            local, _, domain = item.partition("@")
            words.extend(part for part in (local, domain.split(".")[0]) if part)
    return words


def _repeats_a_short_unit(text: str) -> bool:
    return any(len(text) % size == 0 and text == text[:size] * (len(text) // size) for size in range(1, 17))


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"])
