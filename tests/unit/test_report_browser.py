"""The single-page report renders in headless Chromium with its table and images visible."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from tinyids.report.browser import render
from tinyids.report.html import render_index
from tinyids.report.pareto import plot_pareto
from tinyids.report.scorecard import build_scorecard


def test_index_page_shows_scorecard_and_pareto_in_chromium(tmp_path: Path):
    points = pd.DataFrame({"study": ["srm2025", "idrissi2022"], "model": ["rf", "tMO"], "protocol": ["p", "p"],
                           "accuracy": [0.97, 0.95], "size_bytes": [50_000, 2_000]})
    plot_pareto(points, tmp_path / "pareto.png", "test")
    card = build_scorecard([pd.DataFrame({"study": ["s"], "table": ["T"], "quantity": ["accuracy"], "unit": ["fraction"],
                                          "protocol": ["p"], "model": ["m"], "paper_value": [0.9], "our_value": [0.91],
                                          "our_sd": [0.01], "n_runs": [3], "citation": ["c"]})],
                           {"default": 0.01})
    page = tmp_path / "index.html"
    page.write_text(render_index("tinyids report", card, [("pareto", tmp_path / "pareto.png", "Pareto")]))
    rendered = render(page, tmp_path / "shot.png", height=1400)
    assert rendered.visible == {"scorecard": True, "pareto": True}
    shot = np.asarray(Image.open(rendered.screenshot).convert("L"))
    assert shot.std() > 5  # not a blank page


def test_hidden_image_is_reported_invisible(tmp_path: Path):
    page = tmp_path / "broken.html"
    card = build_scorecard([], {"default": 0.01})
    html = render_index("empty", card, [])
    html = html.replace("</body>", "<img data-key='pareto' src='missing.png'></body>")
    page.write_text(html)
    rendered = render(page, tmp_path / "shot.png", height=600)
    assert rendered.visible == {"scorecard": False, "pareto": False}
