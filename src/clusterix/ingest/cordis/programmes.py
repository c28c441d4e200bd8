"""The parts of Horizon 2020 with their titles: the names behind ``SC3``, ``SWAFS`` or
``H2020-EU.3.3.`` wherever a programme part is shown as an activity.

References
----------
Regulation (EU) No 1291/2013 establishing Horizon 2020 - the Framework Programme for Research
and Innovation (2014-2020), Annex I; Council Decision 2013/743/EU (the specific programme);
Council Regulation (Euratom) No 1314/2013.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["H2020_PARTS", "programme_part_titles"]

#: (short label of the CORDIS extracts, legal basis code of the official files, title)
H2020_PARTS = (
    ("ERC", "H2020-EU.1.1.", "European Research Council (ERC)"),
    ("FET", "H2020-EU.1.2.", "Future and Emerging Technologies (FET)"),
    ("MSCA", "H2020-EU.1.3.", "Marie Skłodowska-Curie actions"),
    ("RI", "H2020-EU.1.4.", "European research infrastructures"),
    ("LEIT", "H2020-EU.2.1.", "Leadership in enabling and industrial technologies"),
    ("ARF", "H2020-EU.2.2.", "Access to risk finance"),
    ("Innovation in SMEs", "H2020-EU.2.3.", "Innovation in SMEs"),
    ("SC1", "H2020-EU.3.1.", "Health, demographic change and well-being"),
    (
        "SC2",
        "H2020-EU.3.2.",
        "Food security, sustainable agriculture and forestry, marine and maritime research, bioeconomy",
    ),
    ("SC3", "H2020-EU.3.3.", "Secure, clean and efficient energy"),
    ("SC4", "H2020-EU.3.4.", "Smart, green and integrated transport"),
    ("SC5", "H2020-EU.3.5.", "Climate action, environment, resource efficiency and raw materials"),
    ("SC6", "H2020-EU.3.6.", "Europe in a changing world: inclusive, innovative and reflective societies"),
    ("SC7", "H2020-EU.3.7.", "Secure societies: protecting freedom and security of Europe and its citizens"),
    ("SEWP", "H2020-EU.4.", "Spreading excellence and widening participation"),
    ("SWAFS", "H2020-EU.5.", "Science with and for Society"),
    ("JRC", "H2020-EU.6.", "Non-nuclear direct actions of the Joint Research Centre"),
    ("EIT", "H2020-EU.7.", "European Institute of Innovation and Technology (EIT)"),
    ("Euratom", "H2020-Euratom", "Euratom research and training programme"),
)


def programme_part_titles() -> pd.DataFrame:
    """The Horizon 2020 parts as a classification ``code, name, level, parent``: each title
    under its short label (``SC3``) and under its legal basis code (``H2020-EU.3.3.``).

    Returns
    -------
    pandas.DataFrame
        Two rows per part.

    References
    ----------
    Regulation (EU) No 1291/2013 (Horizon 2020), Annex I.
    """
    rows = [(code, title) for short, legal, title in H2020_PARTS for code in (short, legal)]
    return pd.DataFrame(rows, columns=["code", "name"]).assign(level=1, parent=None)
