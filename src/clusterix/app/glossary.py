"""The glossary: every indicator shown by clusterix in plain words, with its formula, the paper
it comes from and the section of ``docs/methods.md`` that works it through.

The web app's ``/glossary`` page lists it; each entry's key is the indicator's name in the
API (``indicator=eci``), so pages can link a figure to its explanation.
"""

from __future__ import annotations

from typing import Any

from clusterix.app.results import GlossaryEntry

__all__ = ["GLOSSARY", "glossary"]


def _entry(key: str, name: str, plain: str, formula: str, reference: str, methods: str) -> GlossaryEntry:
    return GlossaryEntry(key=key, name=name, plain=plain, formula=formula, reference=reference, methods=methods)


#: One entry per indicator: ``key`` (the API's name), ``name``, ``plain`` (what it says, in words),
#: ``formula`` (plain text), ``reference`` and ``methods`` (the section of docs/methods.md).
GLOSSARY = (
    _entry(
        "lq", "Location quotient (LQ), revealed comparative advantage (RCA)",
        "How much more of an activity a region has than the whole area compared: 2 means twice its share of "
        "the total, 1 the same share. A region is called specialised in an activity when its LQ is 1 or more.",
        "RCA_rp = (x_rp / x_r.) / (x_.p / x..)",
        "Balassa, B. (1965). Trade liberalisation and revealed comparative advantage. The Manchester School 33(2).",
        "1. Specialisation: Location quotient / revealed comparative advantage (RCA)",
    ),
    _entry(
        "diversity", "Diversity",
        "How many activities a region is specialised in (LQ of 1 or more).",
        "k_r,0 = sum over p of M_rp, where M_rp = 1 if RCA_rp >= 1",
        "Hidalgo, C. A. and Hausmann, R. (2009). The building blocks of economic complexity. PNAS 106(26).",
        "4. Complexity: Diversity and ubiquity",
    ),
    _entry(
        "ubiquity", "Ubiquity",
        "How many regions are specialised in an activity: a rare activity has a low ubiquity.",
        "k_p,0 = sum over r of M_rp",
        "Hidalgo, C. A. and Hausmann, R. (2009). The building blocks of economic complexity. PNAS 106(26).",
        "4. Complexity: Diversity and ubiquity",
    ),
    _entry(
        "eci", "Economic complexity index (ECI)",
        "How many and how rare the capabilities behind a region's specialisations are, compared with the other "
        "regions of the same dataset: a standardised score (mean 0, standard deviation 1 across those regions). "
        "Positive means a more diverse structure of less ubiquitous activities than the average region compared; "
        "it has no meaning outside that set of regions.",
        "the eigenvector of the second-largest eigenvalue of D^-1 M U^-1 M^T, standardised "
        "(D, U: diagonal matrices of diversity and ubiquity)",
        "Hidalgo, C. A. and Hausmann, R. (2009), as above; Hausmann, R. et al. (2014). The Atlas of Economic "
        "Complexity. MIT Press.",
        "4. Complexity: ECI and PCI by the eigenvector",
    ),
    _entry(
        "pci", "Product (activity) complexity index (PCI)",
        "How complex an activity is: high when the regions specialised in it are few and diverse. Standardised "
        "like the ECI, within the activities compared.",
        "the eigenvector of the second-largest eigenvalue of U^-1 M^T D^-1 M, standardised",
        "Hidalgo, C. A. and Hausmann, R. (2009), as above.",
        "4. Complexity: ECI and PCI by the eigenvector",
    ),
    _entry(
        "proximity", "Relatedness (proximity)",
        "How often regions specialised in one activity are also specialised in another: activities that go "
        "together need similar capabilities.",
        "phi_pq = C_pq / max(k_p,0, k_q,0), C_pq the number of regions specialised in both",
        "Hidalgo, C. A., Klinger, B., Barabasi, A.-L. and Hausmann, R. (2007). The product space conditions "
        "the development of nations. Science 317(5837).",
        "3. Relatedness: Proximity (minimum conditional probability)",
    ),
    _entry(
        "density", "Relatedness density",
        "How much of what an activity needs a region already has: the share of the activity's related "
        "activities (weighted by relatedness) that the region is specialised in. The best-documented predictor "
        "of which activities a region enters next.",
        "d_rp = sum over q of M_rq phi_pq / sum over q of phi_pq",
        "Hidalgo et al. (2007), as above; Balland, P.-A. et al. (2019). Smart specialization policy in the "
        "European Union: relatedness, knowledge complexity and regional diversification. Regional Studies 53(9).",
        "3. Relatedness: Relatedness density",
    ),
    _entry(
        "coi", "Complexity outlook index (COI)",
        "How much complexity lies close to a region: the complexity of the activities it does not have yet, "
        "weighted by how related they are to what it has.",
        "COI_r = z( sum over p of d_rp (1 - M_rp) PCI_p )",
        "Hausmann, R. et al. (2014). The Atlas of Economic Complexity. MIT Press.",
        "4. Complexity: Complexity outlook index (COI)",
    ),
    _entry(
        "cog", "Complexity outlook gain (COG)",
        "How much a region's outlook would improve if it entered an activity: strategic bets (high COG) "
        "against safe bets (high density).",
        "COG_rp = (1 - M_rp) sum over q of phi_qp / (sum over q' of phi_qq') (1 - M_rq) PCI_q",
        "Hausmann, R. et al. (2014), as above.",
        "4. Complexity: Complexity outlook gain (COG)",
    ),
    _entry(
        "total", "Total",
        "The sum of the measure over the region's activities (jobs, firms, projects), as the dataset holds it.",
        "x_r. = sum over p of x_rp",
        "-",
        "1. Specialisation: Shares",
    ),
    _entry(
        "herfindahl", "Herfindahl concentration",
        "How concentrated a region's mix is: 1 when everything is in one activity, 1/n when it is spread evenly "
        "over n activities.",
        "HHI_r = sum over p of s_rp^2, s_rp = x_rp / x_r.",
        "Hirschman, A. O. (1945). National Power and the Structure of Foreign Trade. University of California "
        "Press.",
        "2. Concentration and variety: Herfindahl-Hirschman index",
    ),
    _entry(
        "entropy", "Entropy (bits)",
        "The variety of a region's mix: higher when more activities carry similar weight.",
        "H_r = - sum over p of s_rp log2 s_rp",
        "Frenken, K., Van Oort, F. and Verburg, T. (2007). Related variety, unrelated variety and regional "
        "economic growth. Regional Studies 41(5).",
        "2. Concentration and variety: Shannon entropy",
    ),
    _entry(
        "hachman", "Hachman index",
        "How closely a region's mix resembles the mix of the whole area compared: 1 means identical, values "
        "towards 0 strong specialisation.",
        "HI_r = 1 / ( sum over p of s_rp LQ_rp )",
        "Hachman, F. C. (1995). Economic Report to the Governor. State of Utah.",
        "1. Specialisation: Hachman index",
    ),
    _entry(
        "krugman", "Krugman specialisation",
        "How different a region's mix is from the mix of all regions: 0 the same structure, 2 nothing in common.",
        "K_r = sum over p of | s_rp - s_p |",
        "Krugman, P. (1991). Geography and Trade. MIT Press.",
        "1. Specialisation: Krugman specialisation index and Krugman dissimilarity",
    ),
    _entry(
        "specialisation_gini", "Specialisation Gini",
        "A Lorenz-curve Gini of the region's mix against the mix of all regions: 0 the same structure, towards "
        "1 specialised in few activities.",
        "G = 1 - sum over k of (X_k - X_k-1)(Y_k + Y_k-1), activities ordered by LQ",
        "Krugman (1991), as above; the EconGeo R package (Balland 2017).",
        "2. Concentration and variety: Locational Gini and Gini of specialisation",
    ),
    _entry(
        "stars", "Cluster stars",
        "Up to three stars for a cluster (a group of related industries) in a region: one for its size among "
        "regions, one for its specialisation (LQ), one for its focus (share of the region's employment).",
        "size: x_rc >= the size quantile of cluster c; specialisation: LQ_rc >= threshold; focus: x_rc / x_r. "
        ">= the focus quantile",
        "Ketels, C. and Protsiv, S. (2013). Methodology and findings report for a cluster mapping of related "
        "sectors. European Cluster Observatory.",
        "docs/methods_clusters.md: Cluster mapping and star ratings",
    ),
)  # fmt: skip


def glossary() -> list[dict[str, Any]]:
    """The glossary as JSON-ready records, in the order of :data:`GLOSSARY`.

    Returns
    -------
    list of dict
        ``key, name, plain, formula, reference, methods`` per indicator.
    """
    return [entry.model_dump() for entry in GLOSSARY]
