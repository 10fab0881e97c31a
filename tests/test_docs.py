"""The repository documents itself (docs/architecture.md "Tests"): every document that the code,
the templates, the tests or the docs cite is in the repository, with the section they name, and
nothing cites a file that someone who clones the repository does not have."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "docs" / "rules.md"

# Where citations live: code, templates, scripts, tests and the documents themselves.
SCANNED_DIRS = (
    "portal",
    "templates",
    "tests",
    "tests_browser",
    "static/js",
    "static/css",
    "bench",
    "migrations",
    "docs",
)
SCANNED_FILES = ("README.md", "Makefile", "pyproject.toml", "wsgi.py", "babel.cfg")
SUFFIXES = {".py", ".html", ".txt", ".js", ".css", ".md", ".toml", ".ini", ".cfg", ".mako", ""}
SKIPPED_DIRS = {"__pycache__", "translations", "vendor", "screenshots"}

# Documents that exist only outside the repository; code cites the contract's clauses and
# docs/rules.md instead.
OUTSIDE = re.compile(r"\b(?:DOMAIN|API|STYLE)\.md\b|\.\./shared\b|/work/shared\b|\bshared/(?:spec|seeds)\b")
MARKDOWN = re.compile(r"(?<![\w/.:-])((?:[\w.-]+/)*[\w.-]+\.md)\b")
RULES_SECTIONS = re.compile(r"docs/rules\.md((?:\s*(?:,|and)?\s*§\s*\d+(?:\.\d+)*)+)")
SECTION = re.compile(r"§\s*(\d+(?:\.\d+)*)")
QUOTED_HEADING = re.compile(r"(docs/[\w-]+\.md),?\s+\"([^\"\n]+)\"")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)


def scanned_files() -> list[Path]:
    files = [ROOT / name for name in SCANNED_FILES if (ROOT / name).is_file()]
    for directory in SCANNED_DIRS:
        for path in sorted((ROOT / directory).rglob("*")):
            if not path.is_file() or path.suffix not in SUFFIXES or SKIPPED_DIRS & set(path.parts):
                continue
            if path == Path(__file__).resolve():
                continue  # this file names the forbidden documents to find them
            files.append(path)
    return files


def citations(pattern: re.Pattern[str]) -> list[tuple[str, re.Match[str]]]:
    """Every match of ``pattern`` in the scanned files, with ``path:line`` of each."""
    found = []
    for path in scanned_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{path.relative_to(ROOT)}:{line}", match))
    return found


def headings(document: Path) -> list[str]:
    return HEADING.findall(document.read_text(encoding="utf-8"))


def rules_sections() -> set[str]:
    """The numbers of docs/rules.md's sections: "## 6 Purchase orders …" is section 6."""
    return {match.group(1) for title in headings(RULES) if (match := re.match(r"(\d+(?:\.\d+)*)\s", title))}


def test_nothing_cites_a_document_outside_the_repository():
    assert [f"{where}: {match.group(0)}" for where, match in citations(OUTSIDE)] == []


def test_every_cited_markdown_file_is_in_the_repository():
    missing = [
        f"{where}: {match.group(1)}" for where, match in citations(MARKDOWN) if not (ROOT / match.group(1)).is_file()
    ]
    assert missing == []


def cited_sections(text: str) -> list[str]:
    """The sections named after "docs/rules.md": "§3, §5" names two. A number of three levels in the
    list ("docs/rules.md §6, §6.4.1") is the contract's clause, since this document's sections go
    two levels deep at most."""
    first, *others = SECTION.findall(text)
    return [first, *(number for number in others if number.count(".") < 2)]


def test_every_cited_section_of_the_rules_exists():
    sections = rules_sections()
    cited = [(where, number) for where, match in citations(RULES_SECTIONS) for number in cited_sections(match.group(1))]
    assert len(cited) > 50, "the scan no longer finds the code's citations of docs/rules.md"
    assert [f"{where}: docs/rules.md §{number}" for where, number in cited if number not in sections] == []


def test_every_quoted_heading_of_a_document_exists():
    missing = []
    for where, match in citations(QUOTED_HEADING):
        document, quoted = ROOT / match.group(1), match.group(2).lower()
        if not document.is_file() or not any(quoted in title.lower() for title in headings(document)):
            missing.append(f'{where}: {match.group(1)} "{match.group(2)}"')
    assert missing == []


def test_the_rules_keep_the_contracts_section_numbers():
    """Code cites docs/rules.md §N by the numbers of the portal's specification: 1 to 13, with 7.1
    and 7.2. A new section gets a new number; an existing one is never renumbered."""
    expected = {str(n) for n in range(1, 14)} | {"7.1", "7.2"}
    assert rules_sections() == expected


def test_every_setting_read_from_the_environment_is_documented_in_the_readme_and_config():
    """portal/config.py reads the environment in one place; its docstring and the README's
    "Configuration" table name every variable it reads."""
    config = (ROOT / "portal" / "config.py").read_text(encoding="utf-8")
    read = set(re.findall(r"os\.environ\.get\(\s*\"(\w+)\"", config))
    assert len(read) > 5, "the scan no longer finds the settings"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("|")]
    in_table = {name for row in rows for name in re.findall(r"`(\w+)`", row.split("|")[1])}
    docstring = config.split('"""')[1]
    assert sorted(read - in_table) == []
    assert sorted(name for name in read if f"``{name}``" not in docstring) == []
