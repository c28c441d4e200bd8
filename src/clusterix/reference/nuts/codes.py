"""Country and region code spelling: NUTS writes Greece EL and the United Kingdom UK (ISO: GR, GB)."""

from __future__ import annotations

import re
from typing import Any

from clusterix._validation import parameter_error

__all__ = ["iso_country", "normalise_code", "nuts_country"]


# ISO 3166 country code -> NUTS country code, where they differ.
_ISO_TO_NUTS = {"GR": "EL", "GB": "UK"}
_NUTS_TO_ISO = {nuts: iso for iso, nuts in _ISO_TO_NUTS.items()}


def nuts_country(iso2: str) -> str:
    """The NUTS country code of an ISO 3166-1 alpha-2 code: ``GR`` -> ``EL``, ``GB`` -> ``UK``.

    NUTS (and every Eurostat table) writes Greece as ``EL`` and the United Kingdom as ``UK``,
    where ISO 3166 has ``GR`` and ``GB``. Every other country has the same code in both.

    Parameters
    ----------
    iso2 : str
        Two letters, in any case.

    Returns
    -------
    str
        The upper-case NUTS country code.

    Raises
    ------
    InvalidInputError
        ``iso2`` is not two letters.

    Examples
    --------
    >>> nuts_country("GR"), nuts_country("gb"), nuts_country("DE")
    ('EL', 'UK', 'DE')
    """
    code = _country(iso2, "iso2", "nuts_country")
    return _ISO_TO_NUTS.get(code, code)


def iso_country(nuts_country: str) -> str:
    """The ISO 3166-1 alpha-2 code of a NUTS country code: ``EL`` -> ``GR``, ``UK`` -> ``GB``.

    The inverse of :func:`nuts_country`; every other country has the same code in both.

    Examples
    --------
    >>> iso_country("EL"), iso_country("UK"), iso_country("FR")
    ('GR', 'GB', 'FR')
    """
    code = _country(nuts_country, "nuts_country", "iso_country")
    return _NUTS_TO_ISO.get(code, code)


def _country(value: Any, name: str, function: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        raise parameter_error(name, function, "a two-letter country code such as 'DE'", value)
    return value.strip().upper()


def normalise_code(code: str) -> str:
    """A region code in NUTS spelling: trimmed, upper case, ``GR``/``GB`` read as ``EL``/``UK``.

    The rule: no NUTS code starts with ``GR`` or ``GB`` (Greece is ``EL`` and the United
    Kingdom ``UK`` in NUTS), so a code that does is taken to use the ISO 3166 country
    code and its first two letters are replaced: ``GR30`` -> ``EL30``, ``GBI3`` -> ``UKI3``.
    Nothing else is changed or guessed; whether the result is a code of a given NUTS
    version is checked by :func:`check_codes`.

    Raises
    ------
    InvalidInputError
        ``code`` is not a string.

    Examples
    --------
    >>> normalise_code("GR30"), normalise_code(" ukI3 "), normalise_code("DE21")
    ('EL30', 'UKI3', 'DE21')
    """
    if not isinstance(code, str):
        raise parameter_error("code", "normalise_code", "a NUTS code as a string, e.g. 'DE21'", code)
    return _normalise(code)


def _normalise(code: str) -> str:
    text = code.strip().upper()
    return _ISO_TO_NUTS[text[:2]] + text[2:] if text[:2] in _ISO_TO_NUTS else text
