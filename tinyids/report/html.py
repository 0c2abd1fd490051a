"""A single-page HTML report a person can open without Snakemake (images embedded)."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from tinyids.report.scorecard import DISPLAY_COLUMNS, display_cells
from tinyids.tables import MISSING

# After load, the page records which key elements are visible, so a headless browser's DOM
# dump proves the table and the images rendered (not merely that the file exists).
_VISIBILITY_SCRIPT = """
<script>
window.addEventListener('load', function () {
  var checks = {};
  var table = document.getElementById('scorecard');
  checks.scorecard = !!table && table.offsetHeight > 0 && table.rows.length > 1;
  document.querySelectorAll('img[data-key]').forEach(function (img) {
    checks[img.dataset.key] = img.complete && img.naturalWidth > 0 && img.offsetHeight > 0;
  });
  document.body.setAttribute('data-visible', JSON.stringify(checks));
});
</script>
"""


def _img(path: Path, key: str, caption: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return (f'<figure><img data-key="{html.escape(key)}" alt="{html.escape(caption)}" '
            f'src="data:image/png;base64,{data}" style="max-width:100%"><figcaption>{html.escape(caption)}</figcaption></figure>')


def render_index(
    title: str,
    scorecard: pd.DataFrame,
    images: Sequence[tuple[str, Path, str]],
    tables: Sequence[tuple[str, pd.DataFrame]] = (),
    notes: Sequence[str] = (),
) -> str:
    """``images``: (key, png path, caption); ``tables``: (heading, frame)."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px}"
        "td.reproduced{background:#e6f4ea}td.better{background:#e8f0fe}td.worse{background:#fce8e6}"
        "figure{margin:1.5em 0}</style>",
        _VISIBILITY_SCRIPT,
        "</head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    parts += [f"<p>{html.escape(n)}</p>" for n in notes]
    parts.append("<h2>Reproduction scorecard</h2>")
    parts.append(_scorecard_table(scorecard))
    for key, path, caption in images:
        if key == "pareto":
            parts += ["<h2>Accuracy against model size</h2>", _img(path, key, caption)]
    others = [(k, p, c) for k, p, c in images if k != "pareto"]
    if others:
        parts.append("<h2>Figures</h2>")
        parts += [_img(p, k, c) for k, p, c in others]
    for heading, frame in tables:
        parts += [f"<h2>{html.escape(heading)}</h2>", frame.to_html(index=False, border=0, na_rep=MISSING)]
    parts.append("</body></html>")
    return "\n".join(parts)


def _scorecard_table(scorecard: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in DISPLAY_COLUMNS)
    rows = []
    for r in scorecard.itertuples():
        cells = display_cells(r)[:-1]  # the verdict cell carries its class
        tds = "".join(f"<td>{html.escape(c)}</td>" for c in cells)
        rows.append(f"<tr>{tds}<td class='{html.escape(str(r.verdict))}'>{html.escape(str(r.verdict))}</td></tr>")
    return f"<table id='scorecard'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
