import warnings

import matplotlib
import pandas as pd

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402

from analysis import charts  # noqa: E402


def test_chinese_labels_render_with_the_bundled_font_and_no_missing_glyphs(tmp_path):
    name = charts.use_chinese_font()
    assert name == "Noto Sans CJK SC"
    resolved = font_manager.findfont(font_manager.FontProperties(family=name))
    assert resolved.endswith("NotoSansCJKsc-Regular.otf")
    counts = pd.DataFrame(
        {
            "name": ["销售收入过1亿元工业企业", "其中：纳税过1亿元"],
            "target": [23, 1],
            "actual": [18, 0],
            "projected": [22, 3],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would raise here
        fig = charts.tier_progress(counts)
        fig.savefig(tmp_path / "chart.png")
    assert (tmp_path / "chart.png").stat().st_size > 10_000
