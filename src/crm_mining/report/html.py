"""The report as one self-contained HTML page: inline CSS and SVG, no script, no link out."""

from __future__ import annotations

from html import escape
from string import Template

from crm_mining.report.model import Figure, Report, Section, Table

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
:root { --ink: #1c2833; --muted: #5d6d7e; --line: #d5d8dc; --accent: #2e86c1; }
* { box-sizing: border-box; }
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1100px; padding: 24px 32px; line-height: 1.45; font-size: 14px; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 16px; }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { margin: 32px 0 4px; font-size: 20px; border-bottom: 1px solid var(--line); }
.meta, figcaption .caption, .how, .table-caption { color: var(--muted); }
.table-caption { margin: 0 0 4px; max-width: 560px; }
figcaption { max-width: 620px; }
.how { font-style: italic; margin: 4px 0 12px; }
nav ol { columns: 2; margin: 8px 0 16px; padding-left: 20px; }
nav a { color: var(--accent); text-decoration: none; }
dl.facts { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 16px; }
dl.facts div { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px;
               min-width: 120px; }
dl.facts dt { font-size: 11px; color: var(--muted); text-transform: uppercase;
              letter-spacing: .03em; }
dl.facts dd { margin: 0; font-size: 17px; font-weight: 600; }
/* Charts and tables flow side by side where the page is wide enough. */
figure.chart, div.table { display: inline-block; vertical-align: top; margin: 12px 28px 20px 0;
                          max-width: 100%; overflow-x: auto; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figcaption { margin-bottom: 6px; }
figcaption .title { font-weight: 600; }
table.data { border-collapse: collapse; margin: 4px 0 0; font-size: 13px; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: 3px 10px;
                               text-align: left; vertical-align: top; }
table.data td.number, table.data th.number { text-align: right;
                                             font-variant-numeric: tabular-nums; }
table.data th { background: #f4f6f7; }
.empty { background: #fef9e7; border-left: 4px solid #f4d03f; padding: 8px 12px; }
p.note { margin: 4px 0; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px;
         border-top: 1px solid var(--line); }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  @page { size: A4; margin: 12mm; }
  nav { display: none; }
  section { break-before: page; }
  section:first-of-type { break-before: auto; }
  figure.chart, div.table, dl.facts { break-inside: avoid; }
  figure.chart { overflow: visible; }
}
</style>
</head>
<body>
<header>
<h1>$title</h1>
<p class="meta">As of $as_of_date (data up to the day before) &middot; read from $source</p>
</header>
<nav><ol>
$toc
</ol></nav>
$sections
<footer><p>Made by <code>python -m crm_mining.report</code> from the marts of the crm_mining
dbt project. Every figure is aggregated in SQL from a public mart named in its section; the
marts and their formulas are described in the dbt docs (<code>make docs</code>).</p></footer>
</body>
</html>
""")


def _number_like(cell: str) -> bool:
    stripped = cell.replace(",", "").replace(".", "").replace("%", "").replace("-", "")
    return stripped.replace(" ", "").replace("of", "").isdigit()


def _table(table: Table) -> str:
    numeric = [
        bool(table.rows) and all(_number_like(row[i]) for row in table.rows)
        for i in range(len(table.columns))
    ]
    classes = [' class="number"' if is_numeric else "" for is_numeric in numeric]
    head = "".join(f"<th{classes[i]}>{escape(name)}</th>" for i, name in enumerate(table.columns))
    body = "\n".join(
        "<tr>"
        + "".join(f"<td{classes[i]}>{escape(cell)}</td>" for i, cell in enumerate(row))
        + "</tr>"
        for row in table.rows
    )
    caption = f'<p class="table-caption">{escape(table.caption)}</p>' if table.caption else ""
    return (
        f'<div class="table">{caption}<table class="data" id="table-{escape(table.key)}">'
        f"<thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table></div>"
    )


def _figure(figure: Figure) -> str:
    caption = f' <span class="caption">{escape(figure.caption)}</span>' if figure.caption else ""
    return (
        f'<figure class="chart" id="figure-{escape(figure.key)}" '
        f'data-chart="{escape(figure.key)}">'
        f'<figcaption><span class="title">{escape(figure.title)}</span>{caption}</figcaption>\n'
        f"{figure.svg}\n</figure>"
    )


def _section(section: Section) -> str:
    parts = [
        f'<section id="{escape(section.key)}">',
        f"<h2>{escape(section.title)}</h2>",
        f'<p class="how">How to read this: {escape(section.how_to_read)}</p>',
    ]
    if section.facts:
        items = "".join(
            f"<div><dt>{escape(label)}</dt><dd>{escape(value)}</dd></div>"
            for label, value in section.facts
        )
        parts.append(f'<dl class="facts">{items}</dl>')
    parts += [f'<p class="note">{escape(note)}</p>' for note in section.notes]
    if section.empty:
        parts.append(f'<p class="empty">{escape(section.empty)}</p>')
    parts += [_figure(item) if isinstance(item, Figure) else _table(item) for item in section.items]
    parts.append("</section>")
    return "\n".join(parts)


def render_html(report: Report) -> str:
    """The report as a standalone HTML document (every figure must already hold its SVG)."""
    toc = "\n".join(
        f'<li><a href="#{escape(s.key)}">{escape(s.title)}</a></li>' for s in report.sections
    )
    return PAGE.substitute(
        title=escape(report.title),
        as_of_date=escape(report.as_of_date),
        source=escape(report.source),
        toc=toc,
        sections="\n".join(_section(section) for section in report.sections),
    )
