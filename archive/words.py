"""Words for readers where the data keeps codes: country and language names, an issue's
name when it has no title, and counts with the right plural.

The data and the API keep the codes ("RU", "en", EDTF dates, slugs); pages, citation text
and OAI set names show these words instead. Dates in words live in ``archive.dates``
(``edtf_display``).
"""

from __future__ import annotations

import re

from django.conf.locale import LANG_INFO

from archive.dates import UNDATED, edtf_display

#: ISO 3166-1 alpha-2 names for the codes the archive's records use, plus the neighbours
#: a curator is likely to add. Withdrawn codes of states that no longer exist (ISO 3166-3)
#: keep their historical names: a place "in SU" was in the Soviet Union when written of.
COUNTRIES = {
    "AF": "Afghanistan", "AL": "Albania", "AM": "Armenia", "AR": "Argentina",
    "AT": "Austria", "AU": "Australia", "AZ": "Azerbaijan", "BA": "Bosnia and Herzegovina",
    "BE": "Belgium", "BG": "Bulgaria", "BO": "Bolivia", "BR": "Brazil", "BY": "Belarus",
    "CA": "Canada", "CH": "Switzerland", "CL": "Chile", "CN": "China", "CU": "Cuba",
    "CZ": "Czechia", "DE": "Germany", "DK": "Denmark", "EE": "Estonia", "EG": "Egypt",
    "ES": "Spain", "FI": "Finland", "FR": "France", "GB": "United Kingdom", "GE": "Georgia",
    "GR": "Greece", "HR": "Croatia", "HU": "Hungary", "IE": "Ireland", "IL": "Israel",
    "IN": "India", "IQ": "Iraq", "IR": "Iran", "IT": "Italy", "JP": "Japan", "KP": "North Korea",
    "KR": "South Korea", "KZ": "Kazakhstan", "LT": "Lithuania", "LV": "Latvia",
    "MD": "Moldova", "ME": "Montenegro", "MK": "North Macedonia", "MN": "Mongolia",
    "MX": "Mexico", "NI": "Nicaragua", "NL": "Netherlands", "NO": "Norway",
    "NZ": "New Zealand", "PL": "Poland", "PT": "Portugal", "RO": "Romania", "RS": "Serbia",
    "RU": "Russia", "SE": "Sweden", "SI": "Slovenia", "SK": "Slovakia", "TR": "Turkey",
    "TT": "Trinidad and Tobago", "UA": "Ukraine", "US": "United States", "VN": "Vietnam",
    "ZA": "South Africa",
    # ISO 3166-3: former countries
    "CS": "Czechoslovakia", "DD": "East Germany", "SU": "Soviet Union", "YU": "Yugoslavia",
}  # fmt: skip

#: Languages Django does not name (``django.conf.locale.LANG_INFO`` names the others).
LANGUAGES = {"la": "Latin", "yi": "Yiddish", "sh": "Serbo-Croatian", "mul": "several languages"}


def country_name(code: str) -> str:
    """ "RU" → "Russia", "SU" → "Soviet Union"; an unknown code is shown as it is."""
    code = (code or "").strip().upper()
    return COUNTRIES.get(code, code)


def language_name(tag: str) -> str:
    """A BCP 47 tag in words: "en" → "English", "pl" → "Polish", "de-AT" → "German"."""
    tag = (tag or "").strip()
    if not tag:
        return ""
    for key in (tag.lower(), tag.split("-")[0].lower()):
        if key in LANGUAGES:
            return LANGUAGES[key]
        info = LANG_INFO.get(key)
        if info and "name" in info:
            return info["name"]
    return tag


def issue_label(issue, *, capital: bool = True) -> str:
    """An issue's name within its publication: its title; else its volume and number
    ("Vol. 3, no. 1"); else its date in words ("Issue of c. 2009"); never its slug.
    ``capital=False`` for use inside a sentence ("…, issue of c. 2009"); a title is kept
    as printed either way."""
    if issue.title:
        return issue.title
    parts = [
        part
        for part in (
            issue.volume and f"vol. {issue.volume}",
            issue.number and f"no. {issue.number}",
        )
        if part
    ]
    if parts:
        text = ", ".join(parts)
    else:
        when = edtf_display(issue.date)
        text = f"issue of {when}" if when else f"issue ({UNDATED})"
    return text[0].upper() + text[1:] if capital else text


def issue_name(issue) -> str:
    """The issue with its publication, for lists, citations and OAI set names:
    "Workers’ Liberty, issue of c. 2009", "Labour Focus, vol. 3, no. 1"."""
    return f"{issue.publication.title}, {issue_label(issue, capital=False)}"


def lifespan(person) -> str:
    """A person's years for lists: "1870–1924", "c. 1890–1941", "born 1943", "died 1924";
    "" when neither is known. Full dates stay on the person's page."""
    birth, death = _year_of(person.birth), _year_of(person.death)
    if birth and death:
        return f"{birth} – {death}" if " " in birth + death else f"{birth}–{death}"
    if birth:
        return f"born {birth}"
    if death:
        return f"died {death}"
    return ""


def _year_of(value: str) -> str:
    """The year of an EDTF value in words, keeping its qualifier ("1890~" → "c. 1890")."""
    if not value or "/" in value:
        return edtf_display(value or "")
    match = re.match(r"-?[\dX]{4}", value.lstrip("?~%"))
    if not match:
        return edtf_display(value)
    qualifier = "".join(c for c in value if c in "?~%")[:1]
    return edtf_display(match.group() + qualifier)


#: Nouns whose plural is not the noun plus "s".
PLURALS = {"person": "people", "country": "countries", "entity": "entities"}


def noun_for(n: int, noun: str) -> str:
    """The noun as it goes with ``n``: "issue" for 1, "issues" for 0 or 3, "people" for 2."""
    return noun if n == 1 else PLURALS.get(noun, noun + "s")


def counted(n: int, noun: str) -> str:
    """ "1 issue", "3 issues", "1 person", "2,000 people"."""
    return f"{n:,} {noun_for(n, noun)}"
