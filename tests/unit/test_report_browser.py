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
from tinyids.report.summary import headlines


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
    assert rendered.visible == {"scorecard": True, "summary": False, "pareto": True}  # no headlines given
    shot = np.asarray(Image.open(rendered.screenshot).convert("L"))
    assert shot.std() > 5  # not a blank page


def test_hidden_image_is_reported_invisible(tmp_path: Path):
    page = tmp_path / "broken.html"
    card = build_scorecard([], {"default": 0.01})
    html = render_index("empty", card, [])
    html = html.replace("</body>", "<img data-key='pareto' src='missing.png'></body>")
    page.write_text(html)
    rendered = render(page, tmp_path / "shot.png", height=600)
    assert rendered.visible == {"scorecard": False, "summary": False, "pareto": False}


def _full_summary(tmp_path: Path):
    """A first screen as large as the default run's: four studies with two headlines each and long
    measured reasons, a four-panel Pareto plot, five boards by four studies."""
    studies = ["alpha2025", "beta2025", "gamma2022", "delta_testbed"]
    rows, summary = [], {}
    for s in studies:
        for m in ("m1", "m2"):
            for p in ("paper", "sound", "other"):
                rows.append({"study": s, "table": "Table 2 (Result Summary)", "quantity": "accuracy", "unit": "fraction",
                             "protocol": p, "model": m, "paper_value": 0.98, "our_value": 0.71, "our_sd": 0.0123,
                             "n_runs": 3, "citation": "c"})
        summary[s] = {"title": f"{s}: a long study title naming the paper, its model and its dataset",
                      "protocols": {"paper": "x"},
                      "headline": [{"label": f"{m} accuracy (Table 2, the paper's headline figure)", "quantity": "accuracy",
                                    "protocol": "paper", "model": m, "beside": [{"protocol": "sound"}, {"protocol": "other"}]}
                                   for m in ("m1", "m2")]}
    card = build_scorecard([pd.DataFrame(rows)], {"default": 0.01})
    points = pd.DataFrame([{"study": s, "model": f"model_{i}", "protocol": "p", "accuracy": 0.5 + i / 20,
                            "size_bytes": 10 ** (2 + i)} for s in studies for i in range(6)])
    plot_pareto(points, tmp_path / "pareto.png", "Accuracy against model size, one front per study")
    rec = pd.DataFrame([{"board": b, "board_title": f"Board {b} (long name)", "study": s, "models": f"{s}/m1",
                         "variant": "m1_robust_variant", "accuracy_mean": 0.9712, "accuracy_sd": 0.0041, "n_seeds": 3,
                         "paper_model": "tMOP", "paper_accuracy_percent": 96.69}
                        for b in ("uno", "nodemcuv2", "esp32dev", "portenta_h7_m7", "rpi") for s in studies])
    return render_index("tinyids: three IoT intrusion-detection studies, reproduced", card,
                        [("pareto", tmp_path / "pareto.png", "accuracy against model size, one front per study")],
                        notes=["Smoke run: small subsamples and few epochs.", "Every figure comes from a results file."],
                        headlines=headlines(card, summary), recommendation=rec)


def test_summary_fits_one_screen_at_1400x900_in_chromium(tmp_path: Path):
    page = tmp_path / "index.html"
    page.write_text(_full_summary(tmp_path))
    rendered = render(page, tmp_path / "shot.png", width=1400, height=900)
    assert rendered.visible["summary"] and rendered.visible["pareto"] and rendered.visible["scorecard"]
    view, box = rendered.layout["viewport"], rendered.layout["summary"]
    # the 1400x900 window less the browser's own bars (headless Chromium reports about 757 px of page)
    assert view["width"] == 1400 and 700 <= view["height"] <= 900
    assert box["top"] >= 0 and box["left"] >= 0
    assert box["bottom"] <= view["height"] and box["right"] <= view["width"], (box, view)


def test_summary_taller_than_the_screen_is_caught(tmp_path: Path):
    page = tmp_path / "index.html"
    html = _full_summary(tmp_path).replace("<section id='summary'>", "<section id='summary' style='padding-top:700px'>")
    page.write_text(html)
    rendered = render(page, tmp_path / "shot.png", width=1400, height=900)
    assert rendered.layout["summary"]["bottom"] > rendered.layout["viewport"]["height"]
