"""Publishing executed lessons as HTML handouts that work offline: MathJax copied beside
them, nothing loaded from elsewhere, each page linked to the previous, the index and the
next; and the index page."""

from __future__ import annotations

import html
import shutil
from pathlib import Path



def for_html(nb):
    """A copy of an executed lesson for the static HTML: no live widgets.

    Widget views are replaced by the static copy their bundle carries (a what-if's
    first run, see :func:`custlib.course.what_if`) and the widget state is dropped,
    so the page needs no widget manager from the internet and shows every chart.
    """
    import copy

    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    view = "application/vnd.jupyter.widget-view+json"
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if view in data:
                del data[view]
                if "text/html" not in data:
                    data["text/plain"] = "(an interactive widget: run the lesson in JupyterLab)"
    return nb


#: The MathJax 2.7 of ``jupyter-server-mathjax`` is copied into ``lessons/`` under this
#: name: a handout shows its formulas without the internet. Beside the pages, not
#: above them: a browser may refuse web fonts of a ``file://`` page from elsewhere.
MATHJAX_DIR = "mathjax"
#: The combined configuration loaded (the one that package ships: TeX and MathML in,
#: HTML-CSS out, with the STIX-Web fonts) and MathJax's ``Safe`` mode.
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"
#: What that configuration loads, or may load on demand for a formula, a menu or a
#: font: not the other outputs (SVG), the other languages or the accessibility
#: explorer (4 MB, off unless chosen in MathJax's menu).
_MATHJAX_FILES = ("LICENSE", "MathJax.js", "config/TeX-AMS-MML_HTMLorMML-full.js",
                  "config/Safe.js", "extensions/*.js", "extensions/TeX/**/*",
                  "extensions/HTML-CSS/**/*", "extensions/MathML/**/*", "jax/element/**/*",
                  "jax/output/HTML-CSS/**/*", "fonts/HTML-CSS/STIX-Web/woff/*",
                  "localization/en/*")


def mathjax_source() -> Path:
    """The folder of MathJax's static files in ``jupyter-server-mathjax``."""
    import jupyter_server_mathjax

    return Path(jupyter_server_mathjax.__file__).parent / "static"


def copy_mathjax(dest: Path) -> Path:
    """Copy the part of MathJax the lesson pages use into ``dest``; return ``MathJax.js``.

    The files get the modes of new files (``shutil.copyfile``), not those of the
    installed package.

    Parameters
    ----------
    dest : Path
        Created; usually ``<out>/lessons/mathjax``.

    Returns
    -------
    Path
    """
    src = mathjax_source()
    for pattern in _MATHJAX_FILES:
        for f in sorted(src.glob(pattern)):
            if f.is_file():
                target = dest / f.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, target)
    return dest / "MathJax.js"


#: The lesson pages: nbconvert's ``lab`` template, loading nothing from the network.
#: require.js, the widget manager and mermaid would come from a CDN; the pages use
#: none of them (:func:`for_html` turns the what-ifs into pictures). MathJax comes
#: from ``lessons/mathjax`` with the web fonts shipped there. A bar of links to the
#: previous lesson, the index and the next lesson opens and closes the page.
_LESSON_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{% from 'mathjax.html.j2' import mathjax %}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
<script type="text/x-mathjax-config">
MathJax.Hub.Config({"HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web",
                                 imageFont: null, linebreaks: {automatic: true}},
                    menuSettings: {zoom: "None"}});
</script>
{{ mathjax(resources.mathjax_url) }}
{%- endblock html_head_js_mathjax -%}
{% block extra_css %}
<style type="text/css">
nav.custlib-nav { display: flex; justify-content: space-between; gap: 1em; align-items: baseline;
  font-family: var(--jp-ui-font-family); font-size: var(--jp-ui-font-size1);
  margin: 0 0 1em; padding: .6em 0; border-bottom: 1px solid var(--jp-border-color2); }
nav.custlib-nav.bottom { margin: 2em 0 0; border-bottom: 0; border-top: 1px solid var(--jp-border-color2); }
nav.custlib-nav a { color: var(--jp-content-link-color); text-decoration: none; }
nav.custlib-nav a:hover { text-decoration: underline; }
nav.custlib-nav .prev, nav.custlib-nav .next { flex: 1 1 0; }
nav.custlib-nav .next { text-align: right; }
@media print { nav.custlib-nav { display: none; } }
</style>
{% endblock extra_css %}
{%- block body_header -%}
{{ super() }}
{{ (resources.custlib_nav or '') | replace('custlib-nav', 'custlib-nav top') }}
{%- endblock body_header -%}
{% block body_footer %}
{{ (resources.custlib_nav or '') | replace('custlib-nav', 'custlib-nav bottom') }}
{{ super() }}
{% endblock body_footer %}
"""


def lesson_exporter():
    """The ``HTMLExporter`` of the lesson pages: offline, with links between lessons.

    Every URL a page could load is local: MathJax from ``mathjax/`` beside the pages
    (:func:`copy_mathjax`), require.js, mermaid and the widget manager not at all.
    Render with ``resources={"custlib_nav": ...}`` (:func:`lesson_nav`).

    Returns
    -------
    nbconvert.HTMLExporter
    """
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab", raw_template=_LESSON_TEMPLATE,
                        mathjax_url=f"{MATHJAX_DIR}/MathJax.js?config={MATHJAX_CONFIG}",
                        require_js_url="", jquery_url="", mermaid_js_url="",
                        mermaid_layout_elk_js_url="", jupyter_widgets_base_url="",
                        widget_renderer_url="")


def lesson_nav(pages: list[tuple[str, str]], at: int) -> str:
    """The links of lesson page ``at``: the previous lesson, the index, the next lesson.

    Parameters
    ----------
    pages : list of (str, str)
        The file name (``NN_name.html``) and title of each lesson that ran, in order.
    at : int
        This page's place in ``pages``.

    Returns
    -------
    str
        A ``<nav class="custlib-nav">``; the first page has no previous link, the last
        no next one.

    Examples
    --------
    >>> nav = lesson_nav([("00_a.html", "0. A"), ("01_b.html", "1. B")], 0)
    >>> 'rel="prev"' in nav, 'href="../index.html"' in nav, 'rel="next" href="01_b.html"' in nav
    (False, True, True)
    """
    prev = next_ = ""
    if at > 0:
        href, title = pages[at - 1]
        prev = (f'<a rel="prev" href="{html.escape(href)}" title="previous lesson">'
                f"← {html.escape(title)}</a>")
    if at + 1 < len(pages):
        href, title = pages[at + 1]
        next_ = (f'<a rel="next" href="{html.escape(href)}" title="next lesson">'
                 f"{html.escape(title)} →</a>")
    return (f'<nav class="custlib-nav" aria-label="lessons"><span class="prev">{prev}</span>'
            f'<a rel="index" class="index" href="../index.html">All lessons</a>'
            f'<span class="next">{next_}</span></nav>')


def _save_charts(nb, folder: Path, stem: str) -> int:
    """Write every PNG chart of an executed lesson as ``<stem>-<n>.png``; return how many."""
    import base64

    n = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get("image/png")
            if data:
                n += 1
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{stem}-{n}.png").write_bytes(base64.b64decode(data))
    return n


def _sections_html(sections: dict | None) -> str:
    """The sections a lesson ran and skipped, for its entry on the index page."""
    if not sections or not (sections.get("ran") or sections.get("skipped")):
        return ""
    out = ""
    if sections.get("ran"):
        out += ('<br><span class="r">sections run: '
                + "; ".join(html.escape(t) for t in sections["ran"]) + "</span>")
    if sections.get("skipped"):
        rows = "".join(f"<li>{html.escape(t)}: <em>{html.escape(r.replace('`', ''))}</em></li>"
                       for t, r in sections["skipped"].items())
        out += f'<br><span class="k">sections skipped (the data does not hold what they need):</span><ul class="k">{rows}</ul>'
    return out


def _index_html(entries: list[tuple], skipped: list[tuple[str, str]], data: Path,
                when: str, report_lines: list[str]) -> str:
    items = "\n".join(
        f'  <li><a href="{html.escape(href)}">{html.escape(title)}</a>'
        f'<br><span class="s">{html.escape(summary)}</span>'
        f'{_sections_html(sections[0] if sections else None)}</li>'
        for href, title, summary, *sections in entries)
    skipped_html = ""
    if skipped:
        rows = "\n".join(f"  <li>{html.escape(t)}: <em>{html.escape(r)}</em></li>" for t, r in skipped)
        skipped_html = (f"<h2>Lessons skipped</h2>\n<p>The data does not hold what these need:</p>"
                        f"\n<ul>\n{rows}\n</ul>")
    notes = "".join(f"<li>{html.escape(x)}</li>" for x in report_lines)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Customer Analysis Workbook — lessons</title>
<style>body{{font-family:sans-serif;max-width:52em;margin:2em auto;line-height:1.5}}
li{{margin:.6em 0}} ul.lessons{{list-style:none;padding-left:0}} .s{{color:#555}} .r,.k{{font-size:.9em;color:#555}} ul.k{{margin:.2em 0;list-style:disc}}
ul.k li{{margin:.1em 0}} footer{{color:#777;font-size:.9em;margin-top:2em}}</style>
</head><body>
<h1>Customer Analysis Workbook (客户分析)</h1>
<p>The lessons, executed on the data in <code>{html.escape(str(data))}</code>.</p>
<ul class="lessons">
{items}
</ul>
{skipped_html}
<h2>Files for the sales manager</h2>
<ul>
<li><a href="files/customer-analysis-workbook.xlsx">customer-analysis-workbook.xlsx</a>: the
master table, its roll-ups, the pyramid, Pareto, lifecycle, grade and funnel tables, and
the early-warning call list (流失预警)</li>
<li><a href="files/charts/">charts/</a>: the charts as PNG;
<a href="files/">files/</a>: everything the lessons wrote</li>
<li><a href="data/validation.txt">validation.txt</a>: what was read, and every warning</li>
</ul>
<ul class="s">{notes}</ul>
<footer>Built {html.escape(when)}.</footer>
</body></html>
"""
