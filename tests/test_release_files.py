"""LICENSE, CITATION.cff and CHANGELOG.md exist, are well formed, and agree on the one version."""

import datetime as dt
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import yaml

import outlast

ROOT = Path(__file__).resolve().parents[1]
#: The keys CFF 1.2.0 allows at the top level of CITATION.cff, and those it requires.
CFF_KEYS = {
    "abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi",
    "identifiers", "keywords", "license", "license-url", "message", "preferred-citation",
    "references", "repository", "repository-artifact", "repository-code", "title", "type",
    "url", "version",
}  # fmt: skip
CFF_REQUIRED = {"authors", "cff-version", "message", "title"}
#: Keys of a CFF person (an entity has "name" instead of "family-names"/"given-names").
CFF_PERSON = {"family-names", "given-names", "name-particle", "name-suffix", "affiliation",
              "email", "orcid", "alias", "website", "address", "city", "country", "post-code",
              "region", "tel", "fax"}  # fmt: skip
CFF_ENTITY = {"name", "address", "alias", "city", "country", "date-end", "date-start", "email",
              "fax", "location", "orcid", "post-code", "region", "tel", "website"}  # fmt: skip
DATE = r"[0-9]{4}-(?:0[1-9]|1[012])-(?:0[1-9]|[12][0-9]|3[01])"


def pyproject_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def citation() -> dict:
    # CFF dates are strings; YAML would read an unquoted one as a date.
    return yaml.load((ROOT / "CITATION.cff").read_text(), Loader=yaml.BaseLoader)


def test_the_version_is_one_everywhere():
    version = pyproject_version()
    assert metadata.version("outlast") == outlast.__version__ == version
    assert citation()["version"] == version
    released = re.findall(
        rf"^## \[(\d+\.\d+\.\d+)\] - {DATE}$", (ROOT / "CHANGELOG.md").read_text(), re.M
    )
    assert released and released[0] == version, "CHANGELOG's latest release is not pyproject's"
    done = subprocess.run(
        [sys.executable, "-m", "outlast", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == f"outlast {version}"


def test_citation_cff_follows_cff_1_2_0():
    cff = citation()
    assert set(cff) <= CFF_KEYS, f"keys CFF 1.2.0 does not allow: {set(cff) - CFF_KEYS}"
    assert set(cff) >= CFF_REQUIRED
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] in ("software", "dataset")
    assert all(isinstance(cff[k], str) and cff[k].strip() for k in ("message", "title"))
    assert isinstance(cff["authors"], list) and cff["authors"]
    for author in cff["authors"]:
        assert author and (set(author) <= CFF_PERSON or set(author) <= CFF_ENTITY), author
        assert all(isinstance(v, str) and v for v in author.values())
    assert re.fullmatch(DATE, cff["date-released"])
    assert (
        cff["license"] == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    )
    assert isinstance(cff.get("keywords", []), list)


def test_license_is_mit_as_pyproject_says():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "Copyright (c) 2026 the outlast authors" in text
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "MIT"


def test_changelog_keeps_a_changelog_format():
    text = (ROOT / "CHANGELOG.md").read_text()
    headings = re.findall(r"^## \[(.+?)\](.*)$", text, re.M)
    assert headings[0] == ("Unreleased", ""), "the first section must be [Unreleased]"
    dates = []
    for version, rest in headings[1:]:
        assert re.fullmatch(r"\d+\.\d+\.\d+", version) and re.fullmatch(f" - {DATE}", rest)
        dates.append(dt.date.fromisoformat(rest.removeprefix(" - ")))
    assert dates == sorted(dates, reverse=True), "releases newest first"
    kinds = set(re.findall(r"^### (.+)$", text, re.M))
    assert kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
