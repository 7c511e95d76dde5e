"""newskit.countries: the country a provider's domain names, and only when it names one."""

from __future__ import annotations

import pycountry
import pytest

from newskit.countries import (
    CCTLD_EXCEPTIONS,
    GENERIC_CCTLDS,
    UNKNOWN,
    country_name,
    country_of_domain,
)

#: Domain -> what its suffix says.
CASES = {
    "thestar.com.my": "MY",
    "bbc.co.uk": "GB",  # uk is the United Kingdom's ccTLD, GB its ISO code
    "theguardian.uk": "GB",
    "reseller.co.nz": "NZ",
    "finanznachrichten.de": "DE",
    "lemonde.fr": "FR",
    "abc.net.au": "AU",
    "scmp.com.hk": "HK",
    "WWW.ASAHI.CO.JP.": "JP",  # case and a trailing dot do not count
    "spiegel.de:443": "DE",  # nor a port
    "microsoft.com": UNKNOWN,
    "cherwell.org": UNKNOWN,
    "neowin.net": UNKNOWN,
    "example.news": UNKNOWN,
    "gov.asia": UNKNOWN,
    "github.io": UNKNOWN,  # a country code sold as a brand
    "x.ai": UNKNOWN,
    "twitch.tv": UNKNOWN,
    "angel.co": UNKNOWN,
    "about.me": UNKNOWN,
    "bit.ly": UNKNOWN,
    "europa.eu": UNKNOWN,  # a union, not a country
    "yandex.su": UNKNOWN,  # the Soviet Union's, still delegated
    "ox.ac": UNKNOWN,
    "xn--80aswg.xn--p1ai": UNKNOWN,  # an internationalised suffix: not in the list
    "localhost": UNKNOWN,
    "127.0.0.1": UNKNOWN,
    "[::1]": UNKNOWN,
    "2001:db8::1": UNKNOWN,
    "a..de": UNKNOWN,
    ".de": UNKNOWN,
    "": UNKNOWN,
}


@pytest.mark.parametrize(("domain", "expected"), CASES.items(), ids=list(CASES))
def test_country_of_domain(domain, expected):
    assert country_of_domain(domain) == expected


@pytest.mark.parametrize("value", [None, 3, b"bbc.co.uk", float("nan")])
def test_anything_but_text_is_unknown(value):
    assert country_of_domain(value) == UNKNOWN


def test_every_iso_code_but_the_generic_ones_is_a_country():
    codes = {country.alpha_2 for country in pycountry.countries}
    assert len(codes) >= 249
    for code in codes:
        expected = UNKNOWN if code.lower() in GENERIC_CCTLDS else code
        assert country_of_domain(f"news.{code.lower()}") == expected


def test_exceptions_and_generic_codes_never_guess():
    iso = {country.alpha_2.lower() for country in pycountry.countries}
    assert GENERIC_CCTLDS.issubset(iso)  # each is a real country code, treated as generic
    assert set(CCTLD_EXCEPTIONS) & iso == set()  # no exception shadows a code
    assert {country_of_domain(f"a.{suffix}") for suffix in CCTLD_EXCEPTIONS} == {"GB", UNKNOWN}


def test_country_name():
    assert country_name("MY") == "Malaysia"
    assert country_name("GB") == "United Kingdom"
    assert country_name("TW") == "Taiwan"  # the common name where ISO's is longer
    assert country_name(UNKNOWN) is None
    assert country_name("ZZ") is None
    assert country_name("") is None
