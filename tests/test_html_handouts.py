"""The report's pages as handouts: they work without the internet, are titled and linked,
the index numbers each lesson once, and others can read the folder.

All but the summaries test read the one ``custlib run`` of the Salesforce export that
tests/test_exports.py checks too (the ``salesforce_run`` fixture of tests/conftest.py).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import stat
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from custlib.course import MATHJAX_DIR, NOTEBOOK_DIR, lesson_title, lessons

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium")
                                        else None)
#: A lesson of the Salesforce run with formulas and what-ifs.
FORMULA_LESSON = "04_customer_value"


class _Page(HTMLParser):
    """The tags of a page with their attributes, its title and its inline scripts and styles."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.title = ""
        self.inline: list[str] = []
        self._in: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("title", "script", "style"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in in ("script", "style"):
            self.inline.append(data)


def _pages(out: Path) -> list[Path]:
    return sorted((out / "lessons").glob("*.html"))


def _local(page: Path, url: str, out: Path) -> Path:
    """The file in ``out`` that ``url`` of ``page`` names; fails for any other URL."""
    parts = urlsplit(url)
    assert not parts.scheme and not parts.netloc, f"{page.name} points outside: {url}"
    target = (page.parent / unquote(parts.path)).resolve()
    assert out.resolve() in target.parents, f"{page.name}: {url} leaves the report folder"
    return target


def test_the_pages_load_nothing_from_outside_the_folder(salesforce_run):
    out = salesforce_run["out"]
    for page in [out / "index.html", *_pages(out)]:
        text = page.read_text(encoding="utf-8")
        parsed = _Page(text)
        for tag, attrs in parsed.tags:
            url = (attrs.get("src") if tag in ("script", "img", "iframe", "source", "audio",
                                                "video", "embed", "track")
                   else attrs.get("href") if tag == "link" else attrs.get("data") if tag == "object"
                   else None)
            if url and not url.startswith("data:"):
                assert _local(page, url, out).is_file(), f"{page.name}: {url} is missing"
        code = "\n".join(parsed.inline)
        assert not re.search(r"""(url\(|@import|import\(|src\s*=)\s*["']?(https?:)?//""", code), \
            page.name
        assert "cdnjs" not in text and "unpkg.com" not in text, page.name


def test_mathjax_is_in_the_folder_where_the_pages_load_it(salesforce_run):
    out = salesforce_run["out"]
    for page in _pages(out):
        scripts = [a["src"] for t, a in _Page(page.read_text(encoding="utf-8")).tags
                   if t == "script" and "MathJax.js" in a.get("src", "")]
        assert len(scripts) == 1, page.name
        mathjax = _local(page, scripts[0], out)
        assert mathjax == (out / "lessons" / MATHJAX_DIR / "MathJax.js").resolve()
        assert mathjax.stat().st_size > 10_000
        for config in re.search(r"config=([^&]+)", scripts[0]).group(1).split(","):
            assert (mathjax.parent / "config" / f"{config}.js").is_file(), config
    fonts = out / "lessons" / MATHJAX_DIR / "fonts" / "HTML-CSS" / "STIX-Web" / "woff"
    assert len(list(fonts.glob("*.woff"))) > 10
    assert (out / "lessons" / MATHJAX_DIR / "jax" / "output" / "HTML-CSS" / "fonts" / "STIX-Web"
            / "fontdata.js").is_file()


def test_each_page_is_titled_with_its_lesson_heading(salesforce_run):
    out = salesforce_run["out"]
    for name in salesforce_run["ran"]:
        page = out / "lessons" / f"{Path(name).stem}.html"
        title = _Page(page.read_text(encoding="utf-8")).title.strip()
        assert title == lesson_title(NOTEBOOK_DIR / name)[0] and title != "Notebook"


def test_each_page_links_the_previous_lesson_the_index_and_the_next(salesforce_run):
    out = salesforce_run["out"]
    ran = [out / "lessons" / f"{Path(n).stem}.html" for n in salesforce_run["ran"]]
    assert sorted(ran) == _pages(out)
    for i, page in enumerate(ran):
        links = [a for t, a in _Page(page.read_text(encoding="utf-8")).tags
                 if t == "a" and a.get("rel") in ("prev", "index", "next")]
        by_rel = {rel: [_local(page, a["href"], out) for a in links if a["rel"] == rel]
                  for rel in ("prev", "index", "next")}
        assert by_rel["index"] == [(out / "index.html").resolve()] * 2, page.name  # top, bottom
        assert by_rel["prev"] == ([ran[i - 1].resolve()] * 2 if i else []), page.name
        assert by_rel["next"] == ([ran[i + 1].resolve()] * 2 if i + 1 < len(ran) else []), page.name
        assert all(p.is_file() for ps in by_rel.values() for p in ps)
    skipped = [Path(n).stem for n in salesforce_run["skipped"]]
    assert skipped and not any(s in p.read_text(encoding="utf-8") for s in skipped for p in ran)


def test_the_index_numbers_each_lesson_once_and_links_one_workbook(salesforce_run):
    out = salesforce_run["out"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<ol" not in index
    hrefs = [a["href"] for t, a in _Page(index).tags if t == "a" and "href" in a]
    for name in salesforce_run["ran"]:
        title, summary = lesson_title(NOTEBOOK_DIR / name)
        assert hrefs.count(f"lessons/{Path(name).stem}.html") == 1, name
        assert index.count(html.escape(title)) == 1, name
        assert re.match(r"\d+\. \D", title), title            # the heading's own number, once
        assert html.escape(summary) in index
    for name in salesforce_run["skipped"]:
        assert index.count(html.escape(lesson_title(NOTEBOOK_DIR / name)[0])) == 1
    assert [h for h in hrefs if h.endswith(".xlsx")] == ["files/customer-analysis-workbook.xlsx"]
    assert (out / "files" / "customer-analysis-workbook.xlsx").is_file()


def test_the_report_has_the_modes_of_the_users_umask(salesforce_run):
    """Readable from a shared folder or a web server: not the build folder's private 0o700."""
    out, mask = salesforce_run["out"], salesforce_run["umask"]
    wrong = [f"{p.relative_to(out.parent)} {oct(stat.S_IMODE(p.lstat().st_mode))}"
             for p in [out, *out.rglob("*")] if not p.is_symlink()
             and stat.S_IMODE(p.stat().st_mode) != (0o777 if p.is_dir() else 0o666) & ~mask]
    assert not wrong, wrong[:10]


# "Lesson 3 took…", "The previous lesson…" (but "This first lesson…" is about itself)
_OTHER_LESSON = re.compile(r"(?i)^(?:\S+\s+){0,3}?(?:lessons?\s+\d|(?<!this\s)(?:the\s+)?"
                           r"(?:previous|last|next|earlier|first)\s+lesson)")


def test_every_lesson_summary_stands_on_its_own():
    """The index shows each lesson's summary: present, different from the others', and about
    the lesson itself, not another one (``custlib.summary`` in the notebook's metadata
    overrides the first sentence after the heading)."""
    summaries = {p.name: lesson_title(p)[1] for p in lessons()}
    assert all(summaries.values()), [n for n, s in summaries.items() if not s]
    assert len(set(summaries.values())) == len(summaries)
    about_another = {n: s for n, s in summaries.items() if _OTHER_LESSON.match(s)}
    assert not about_another, about_another


def _offline_chromium(url: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Headless Chromium on ``url`` with every network request sent to a closed port."""
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-extensions", "--disable-background-networking",
         f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9",
         "--proxy-bypass-list=<-loopback>", "--virtual-time-budget=30000", *args, url],
        capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium")
def test_an_offline_browser_typesets_the_formulas_and_shows_the_what_ifs(salesforce_run, tmp_path):
    page = salesforce_run["out"] / "lessons" / f"{FORMULA_LESSON}.html"
    source = page.read_text(encoding="utf-8")
    done = _offline_chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")
    dom = done.stdout
    assert done.returncode == 0 and "</html>" in dom, done.stderr[-2000:]
    typeset = re.findall(r'<span class="MathJax(?: [^"]*)?" id="MathJax-Element-', dom)
    assert len(typeset) >= 10, "MathJax did not typeset the formulas"
    assert 'class="MathJax_Display"' in dom                     # the $$ ... $$ blocks too
    assert not re.search(r'class="(?:[^"]* )?(?:MathJax_Error|noError|merror)[ "]', dom)
    # no formula left as raw text in the lesson's prose (MathJax keeps the TeX in scripts)
    cells = re.split(r'<div class="jp-Cell ', re.sub(r"(?s)<(script|style|code)\b.*?</\1>", "", dom))
    prose = [html.unescape(re.sub(r"<[^>]+>", " ", c)) for c in cells
             if c.split('"', 1)[0].find("jp-MarkdownCell") >= 0]
    assert len(prose) > 5
    raw = [m.group(0) for t in prose for m in re.finditer(r".{0,40}(\$[^$]+\$|\\[(\[]).{0,40}", t)]
    assert not raw, raw[:5]
    # every what-if is its static picture
    what_ifs = source.count('class="custlib-what-if"')
    assert what_ifs >= 1 and dom.count('class="custlib-what-if"') == what_ifs
    pictures = re.findall(r'(?s)<div class="custlib-what-if">.*?<img [^>]*src="data:image/png', dom)
    assert len(pictures) == what_ifs
    assert "@jupyter-widgets" not in dom
