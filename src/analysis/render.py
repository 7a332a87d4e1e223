"""Executed notebooks to HTML for readers who never see code, and the quarter's index page."""

import html
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets.config import Config

from analysis.targets import STATUS_COLOURS

HIDDEN_TAGS = {"parameters", "injected-parameters"}


def notebook_to_html(notebook_path: Path, html_path: Path) -> None:
    """Render with code, prompts and the parameter cells hidden."""
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = HIDDEN_TAGS
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(
        config=config, exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    body, _ = exporter.from_notebook_node(nbformat.read(notebook_path, as_version=4))
    html_path.write_text(body, encoding="utf-8")


def index_page(title: str, rows, pages: list[tuple[str, str]]) -> str:
    """The quarter's front page: the scorecard at a glance and a link to every section.

    `rows` is formatting.scorecard_rows(...): every value already text, escaped here.
    """
    cells = []
    for row in rows.itertuples():
        status = row.status.split()[-1]
        cells.append(
            "<tr>"
            + "".join(f"<td>{html.escape(v)}</td>" for v in (row.plan, row.name, row.unit))
            + "".join(
                f"<td class=num>{html.escape(v)}</td>"
                for v in (row.target, row.actual, row.progress, row.expected_progress)
            )
            + f'<td style="background:{STATUS_COLOURS[status]};color:white">'
            f"{html.escape(row.status)}</td><td>{html.escape(row.departments)}</td></tr>"
        )
    links = "".join(
        f'<li><a href="{html.escape(href)}">{html.escape(label)}</a></li>' for label, href in pages
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 2em auto; max-width: 1100px; color: #222; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; }}
th {{ background: #eceff1; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<h2>报告章节</h2><ul>{links}</ul>
<h2>十大计划目标完成情况一览</h2>
<table><thead><tr><th>计划</th><th>指标</th><th>单位</th><th>年度目标</th><th>完成</th>
<th>完成进度</th><th>序时进度</th><th>状态</th><th>责任单位</th></tr></thead>
<tbody>{"".join(cells)}</tbody></table>
<p>数据文件：<a href="scorecard.csv">scorecard.csv</a> ·
<a href="tiers.csv">tiers.csv</a> · <a href="quarantine.csv">quarantine.csv</a></p>
</body></html>
"""
