"""Where a provider is from, as far as its domain says: the country of its country-code suffix.

``thestar.com.my`` ends in ``my``, Malaysia's country-code top-level domain (ccTLD), so it is
``"MY"``; ``bbc.co.uk`` ends in ``uk``, which is the United Kingdom's ccTLD although its ISO
3166 code is ``GB``. Anything the suffix does not settle is :data:`UNKNOWN`, never guessed:
generic suffixes (``.com``, ``.org``, ``.net``, ``.news``, ...), regional ones (``.eu``,
``.asia``), and the country codes sold worldwide as brands (``.io``, ``.ai``, ``.tv``, ``.co``,
... :data:`GENERIC_CCTLDS`). The two-letter codes are ISO 3166-1's, as pycountry keeps them.
"""

from __future__ import annotations

import functools
import ipaddress

#: What :func:`country_of_domain` says when the domain does not tell a country.
UNKNOWN = "unknown"

#: Country-code suffixes that name no country of ISO 3166-1 by that code, or none at all.
#: ``uk`` is the United Kingdom's (ISO ``GB``); ``eu`` is the European Union's, ``su`` the
#: Soviet Union's (still delegated), ``ac`` Ascension Island's (part of ISO's ``SH``, and sold
#: as "academic"): none of the last three names a country.
CCTLD_EXCEPTIONS = {"uk": "GB", "eu": UNKNOWN, "su": UNKNOWN, "ac": UNKNOWN}

#: Country codes registered worldwide for what the letters spell, so a domain under them says
#: nothing of where its owner is: those Google Search treats as generic (its list, which
#: changes now and then, has held ``.ad .ai .as .bz .cc .cd .co .dj .fm .gg .io .la .me .ms
#: .nu .sc .sr .tk .tv .ws``), and ``.ly .to .sh .vc .gl``, sold the same way.
GENERIC_CCTLDS = frozenset(
    "ad ai as bz cc cd co dj fm gg io la me ms nu sc sr tk tv ws ly to sh vc gl".split()  # noqa: SIM905
)


@functools.cache
def _iso_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, lower-cased (249 in 2026)."""
    import pycountry  # on first use: importing it costs more than the lookups

    return frozenset(country.alpha_2.lower() for country in pycountry.countries)


def country_of_domain(domain: object) -> str:
    """The ISO 3166-1 alpha-2 code of the country a domain's suffix names, else ``"unknown"``.

    Parameters
    ----------
    domain : str
        A host name such as ``provider_domain`` (case, a trailing dot and a port do not
        count). Anything else, an IP address or a single label is unknown.

    Returns
    -------
    str
        Two capital letters (``"MY"``, ``"GB"``) or :data:`UNKNOWN`.

    Examples
    --------
    >>> country_of_domain("thestar.com.my"), country_of_domain("bbc.co.uk")
    ('MY', 'GB')
    >>> country_of_domain("microsoft.com"), country_of_domain("github.io")
    ('unknown', 'unknown')
    """
    if not isinstance(domain, str):
        return UNKNOWN
    host = domain.strip().lower().rstrip(".")
    if host.startswith("[") or host.count(":") > 1:  # an IPv6 address
        return UNKNOWN
    host = host.partition(":")[0]
    try:
        ipaddress.ip_address(host)
        return UNKNOWN
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) < 2 or not all(labels):
        return UNKNOWN
    suffix = labels[-1]
    if suffix in CCTLD_EXCEPTIONS:
        return CCTLD_EXCEPTIONS[suffix]
    if suffix in GENERIC_CCTLDS or suffix not in _iso_codes():
        return UNKNOWN
    return suffix.upper()


def country_name(code: str) -> str | None:
    """The ISO 3166-1 name of a two-letter code (``"MY"``: ``"Malaysia"``); None when unknown."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code) if len(code or "") == 2 else None
    return None if country is None else getattr(country, "common_name", country.name)
