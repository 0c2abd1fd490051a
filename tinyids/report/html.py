"""A single-page HTML report a person can open without Snakemake (images embedded).

The page opens on one screen (``#summary``): per study the paper's headline figures beside ours
(:mod:`tinyids.report.summary`), with the per-study Pareto plot and the board recommendation
(``results/firmware/recommendation.csv``) beside it. The full scorecard follows, grouped by study
and table, each group's protocols explained once (descriptions from config).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from tinyids.report.scorecard import DISPLAY_COLUMNS, display_cells
from tinyids.tables import MISSING, fmt, fmt_mean_sd

# After load, the page records which key elements are visible, so a headless browser's DOM
# dump proves the tables and the images rendered (not merely that the file exists), and where
# the summary lies in the viewport (``data-layout``: its bounding box and the window size).
_VISIBILITY_SCRIPT = """
<script>
window.addEventListener('load', function () {
  var checks = {};
  var tables = document.querySelectorAll('#scorecard table.scorecard');
  var rows = 0;
  tables.forEach(function (t) { if (t.offsetHeight > 0) { rows += t.rows.length - 1; } });
  checks.scorecard = rows > 0;
  var summary = document.getElementById('summary');
  checks.summary = !!summary && summary.offsetHeight > 0 && summary.querySelectorAll('tr.headline').length > 0;
  document.querySelectorAll('img[data-key]').forEach(function (img) {
    checks[img.dataset.key] = img.complete && img.naturalWidth > 0 && img.offsetHeight > 0;
  });
  var layout = {viewport: {width: window.innerWidth, height: window.innerHeight}};
  if (summary) {
    var r = summary.getBoundingClientRect();
    layout.summary = {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
  }
  document.body.setAttribute('data-visible', JSON.stringify(checks));
  document.body.setAttribute('data-layout', JSON.stringify(layout));
});
</script>
"""

_STYLE = (
    "<style>body{font-family:sans-serif;max-width:1360px;margin:0 auto;padding:0 12px}"
    "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px}"
    ".reproduced{background:#e6f4ea}.better{background:#e8f0fe}.worse{background:#fce8e6}"
    "figure{margin:1.5em 0}"
    "#summary{display:grid;grid-template-columns:minmax(0,11fr) minmax(0,9fr);gap:12px;padding-top:6px}"
    "#summary h1{font-size:18px;margin:2px 0 6px}#summary h2{font-size:14px;margin:4px 0}"
    "#summary p{font-size:11px;margin:2px 0 6px}#summary table{font-size:11px;width:100%}"
    "#summary td,#summary th{padding:2px 4px}#summary td.reason{font-size:10px;color:#333}"
    "#summary figure{margin:0}#summary img{width:100%}#summary figcaption{font-size:10px}"
    "dl.protocols{font-size:12px;margin:4px 0}dl.protocols dt{font-weight:bold}dl.protocols dd{margin:0 0 4px 1.5em}"
    "</style>"
)


def _img(path: Path, key: str, caption: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return (f'<figure><img data-key="{html.escape(key)}" alt="{html.escape(caption)}" '
            f'src="data:image/png;base64,{data}" style="max-width:100%"><figcaption>{html.escape(caption)}</figcaption></figure>')


def _e(value: object) -> str:
    return html.escape(MISSING if value is pd.NA else fmt(value))


def render_index(
    title: str,
    scorecard: pd.DataFrame,
    images: Sequence[tuple[str, Path, str]],
    tables: Sequence[tuple[str, pd.DataFrame]] = (),
    notes: Sequence[str] = (),
    headlines: pd.DataFrame | None = None,
    recommendation: pd.DataFrame | None = None,
    describe_protocol: Callable[[str, str], str | None] | None = None,
) -> str:
    """``images``: (key, png path, caption), the one keyed ``pareto`` goes into the summary;
    ``tables``: (heading, frame); ``headlines``: :func:`tinyids.report.summary.headlines`;
    ``recommendation``: the rows of ``recommendation.csv``; ``describe_protocol(study, protocol)``:
    the protocol's description from config (None: not described)."""
    parts = ["<!doctype html><html><head><meta charset='utf-8'>", f"<title>{html.escape(title)}</title>",
             _STYLE, _VISIBILITY_SCRIPT, "</head><body>"]
    pareto = [(k, p, c) for k, p, c in images if k == "pareto"]
    parts.append("<section id='summary'><div>")
    parts.append(f"<h1>{html.escape(title)}</h1>")
    parts += [f"<p>{html.escape(n)}</p>" for n in notes]
    parts.append(_headline_table(headlines if headlines is not None else pd.DataFrame()))
    parts.append("</div><div>")
    for key, path, caption in pareto:
        parts.append(_img(path, key, caption))
    if recommendation is not None:
        parts += ["<h2>Most accurate deployable that fits each board (Figure 7, computed)</h2>",
                  _recommendation_table(recommendation)]
    parts.append("</div></section>")
    parts.append("<section id='scorecard'><h2>Reproduction scorecard</h2>")
    parts.append("<p>Ours: the mean over <i>n</i> runs (seeds or folds), <i>sd</i> their sample standard deviation. "
                 "Grouped by study and the paper's table; each group's protocols are described once.</p>")
    parts.append(_grouped_scorecard(scorecard, describe_protocol or (lambda s, p: None)))
    parts.append("</section>")
    others = [(k, p, c) for k, p, c in images if k != "pareto"]
    if others:
        parts.append("<h2>Figures</h2>")
        parts += [_img(p, k, c) for k, p, c in others]
    for heading, frame in tables:
        parts += [f"<h2>{html.escape(heading)}</h2>", frame.to_html(index=False, border=0, na_rep=MISSING)]
    parts.append("</body></html>")
    return "\n".join(parts)


def _headline_table(rows: pd.DataFrame) -> str:
    head = "<tr><th>study</th><th>figure</th><th>paper</th><th>ours (mean ± sd, n)</th><th>verdict</th>" \
           "<th>measured reason where they differ</th></tr>"
    body = []
    for study, part in rows.groupby("study", sort=False) if len(rows) else []:
        title = str(part["title"].iloc[0])
        for i, r in enumerate(part.itertuples()):
            cell = f"<td rowspan='{len(part)}'>{html.escape(title)}</td>" if i == 0 else ""
            unit = "" if pd.isna(r.unit) else f" {r.unit}"
            body.append(
                f"<tr class='headline' data-study='{html.escape(str(study))}'>{cell}<td>{html.escape(str(r.figure))}</td>"
                f"<td>{_e(r.paper_value)}{html.escape(unit)}</td>"
                f"<td>{html.escape(_ours(r.our_value, r.our_sd, r.n_runs, unit))}</td>"
                f"<td class='{html.escape(str(r.verdict))}'>{html.escape(str(r.verdict))}</td>"
                f"<td class='reason'>{html.escape(str(r.reason))}</td></tr>")
    return f"<table id='headlines'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def _ours(mean: object, sd: object, n: object, unit: str) -> str:
    """``mean ± sd unit (n=N)``."""
    text = fmt_mean_sd(mean, sd, None)
    if text == MISSING:
        return text
    return text + unit + ("" if pd.isna(n) else f" (n={int(n)})")


def _recommendation_table(rec: pd.DataFrame) -> str:
    studies = list(dict.fromkeys(rec["study"].astype(str)))
    head = "<tr><th>board</th>" + "".join(f"<th>{html.escape(s)}</th>" for s in studies) + "<th>paper's choice</th></tr>"
    body = []
    for board, part in rec.groupby("board", sort=False):
        by_study = {str(r.study): r for r in part.itertuples()}
        cells = []
        for s in studies:
            r = by_study.get(s)
            if r is None or pd.isna(r.models):
                cells.append("<td>none fits</td>")
                continue
            acc = f"{100 * r.accuracy_mean:.1f}" + ("" if pd.isna(r.accuracy_sd) else f" ± {100 * r.accuracy_sd:.1f}")
            cells.append(f"<td>{html.escape(str(r.variant))}: {acc} % (n={int(r.n_seeds)})</td>")
        first = part.iloc[0]
        paper = "none" if pd.isna(first["paper_model"]) else str(first["paper_model"])
        if not pd.isna(first["paper_accuracy_percent"]):
            paper += f" ({fmt(first['paper_accuracy_percent'])} %)"
        body.append(f"<tr><td>{html.escape(str(first['board_title']))}</td>{''.join(cells)}<td>{html.escape(paper)}</td></tr>")
    return f"<table id='recommendation'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def _grouped_scorecard(scorecard: pd.DataFrame, describe: Callable[[str, str], str | None]) -> str:
    if scorecard.empty:
        return "<p>No comparison rows.</p>"
    columns = [c for c in DISPLAY_COLUMNS if c not in ("study", "table")]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    out = []
    for study, rows in scorecard.groupby("study", sort=False):
        out.append(f"<h3>{html.escape(str(study))}</h3>")
        for table, group in rows.groupby("table", sort=False):
            out.append(f"<h4>{html.escape(str(study))}: {html.escape(str(table))}</h4>")
            items = []
            for protocol in dict.fromkeys(group["protocol"].astype(str)):
                text = describe(str(study), protocol)
                text = text if text else f"not described in config (report.summary.{study}.protocols)"
                items.append(f"<dt>{html.escape(protocol)}</dt><dd>{html.escape(text)}</dd>")
            out.append(f"<dl class='protocols'>{''.join(items)}</dl>")
            trs = []
            for r in group.itertuples():
                cells = display_cells(r)[2:-1]  # study and table are the headings; the verdict cell carries its class
                tds = "".join(f"<td>{html.escape(c)}</td>" for c in cells)
                trs.append(f"<tr>{tds}<td class='{html.escape(str(r.verdict))}'>{html.escape(str(r.verdict))}</td></tr>")
            out.append(f"<table class='scorecard'><thead><tr>{head}</tr></thead><tbody>{''.join(trs)}</tbody></table>")
    return "\n".join(out)
