"""Build the reading-test corpus: workbooks in the bureaus' layouts, saved by LibreOffice.

Run by hand when the corpus changes (needs `soffice`, Debian's libreoffice-calc-nogui, and
for the password-protected workbook Debian's python3-uno for the system /usr/bin/python3):

    .venv/bin/python tests/corpus/make_corpus.py            # everything
    .venv/bin/python tests/corpus/make_corpus.py merged     # only the folders named (see
                                                            # FOLDERS), the rest untouched

Each workbook is drafted with openpyxl, then opened and saved again by LibreOffice
headless — as .xlsx (formulas get real cached values, as Excel leaves them), as legacy
.xls, as GBK-encoded .csv, or as an .xlsx encrypted with a password — so the reader is
tested on files a spreadsheet program wrote, not only on files written by a Python library.
The one exception is the workbook of formulas without saved values: it is saved by
openpyxl itself, because that is how such files come about (report generators that write
formulas but never calculate them).
The expected figures live in test_corpus.py, written out by hand from the values below.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
GOOD, BROKEN = HERE / "good", HERE / "broken"

A = "91350100M000100Y43"  # valid
B = "91371082MA3C4XKT0M"  # valid
C = "91371082MA3C4XKT0B"  # wrong check character
D = "913710821234567894"  # valid, all digits


class Literal(str):
    """Text that starts with '=' but must be stored as text, as a hostile name would be."""


def draft(rows, merges=(), sheets=None) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "规上工业"
    for row in rows:
        ws.append(row)
        for value, cell in zip(row, ws[ws.max_row], strict=False):
            if isinstance(value, Literal):
                cell.data_type = "s"
    for cells in merges:
        ws.merge_cells(cells)
    for title, extra in (sheets or {}).items():
        other = book.create_sheet(title, 0)
        for row in extra:
            other.append(row)
    return book


def save_with_libreoffice(book: openpyxl.Workbook, target: Path, fmt: str) -> None:
    """Save `book` as target (xlsx, xls, ods or csv) through LibreOffice."""
    filters = {
        "xlsx": "xlsx:Calc MS Excel 2007 XML",
        "xls": "xls:MS Excel 97",
        "csv": "csv:Text - txt - csv (StarCalc):44,34,70,1",
        "ods": "ods:calc8",
    }  # 70 = GBK
    with tempfile.TemporaryDirectory() as tmp:
        draft_path = Path(tmp) / f"{target.stem}.xlsx"
        book.save(draft_path)
        out = Path(tmp) / "out"
        subprocess.run(
            [
                "soffice",
                "--headless",
                "--calc",
                "--convert-to",
                filters[fmt],
                "--outdir",
                str(out),
                str(draft_path),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(out / f"{target.stem}.{fmt}", target)


# Run by the system python, which has LibreOffice's UNO bridge (python3-uno): start a
# private LibreOffice, open the draft, store it as an encrypted .xlsx. `--convert-to` cannot
# do this (it has no way to pass a password), so the save goes through the UNO API, with the
# EncryptionData LibreOffice's own Save-with-password dialog gives: OOXPassword plus
# CryptoType "Standard" (ECMA-376 standard encryption, AES-128). LibreOffice 7.4 fails with
# an I/O write error on the default "Agile" type here. EncryptionData must be passed as a
# typed uno.Any: as a plain tuple it arrives as []any and the file is silently left open.
UNO_SAVE_ENCRYPTED = """
import subprocess, sys, time
from pathlib import Path

import uno
from com.sun.star.beans import NamedValue, PropertyValue


def props(**values):
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


draft, target, password, workdir = sys.argv[1:5]
pipe = "tenplans_corpus_" + Path(workdir).name
office = subprocess.Popen(
    ["soffice", "--headless", "--invisible", "--norestore",
     "-env:UserInstallation=" + (Path(workdir) / "profile").as_uri(),
     "--accept=pipe,name=" + pipe + ";urp;StarOffice.ComponentContext"]
)
desktop = None
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    for _ in range(120):
        try:
            ctx = resolver.resolve("uno:pipe,name=" + pipe + ";urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.5)
    else:
        raise SystemExit("LibreOffice did not start")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(Path(draft).as_uri(), "_blank", 0, props(Hidden=True))
    if doc is None:
        raise SystemExit("LibreOffice could not open " + draft)
    encryption = uno.Any(
        "[]com.sun.star.beans.NamedValue",
        (NamedValue("OOXPassword", password), NamedValue("CryptoType", "Standard")),
    )
    try:
        doc.storeToURL(
            Path(target).as_uri(),
            props(FilterName="Calc MS Excel 2007 XML", EncryptionData=encryption),
        )
    finally:
        doc.close(True)
finally:
    if desktop is not None:
        try:
            desktop.terminate()
        except Exception:
            pass  # the bridge drops as LibreOffice quits
    try:
        office.wait(timeout=60)
    except subprocess.TimeoutExpired:
        office.kill()
"""
CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # encrypted OOXML is an OLE compound file


def save_encrypted_with_libreoffice(book: openpyxl.Workbook, target: Path, password: str) -> None:
    """Save `book` as target, an .xlsx that opens only with `password`, through LibreOffice."""
    with tempfile.TemporaryDirectory() as tmp:
        draft_path = Path(tmp) / "draft.xlsx"
        book.save(draft_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "/usr/bin/python3",
                "-c",
                UNO_SAVE_ENCRYPTED,
                str(draft_path),
                str(target.resolve()),
                password,
                tmp,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    if target.read_bytes()[:8] != CFB_SIGNATURE:
        raise RuntimeError(f"LibreOffice saved {target} without encrypting it")


STATS_HEADER = [
    [
        "序号",
        "统一社会信用代码",
        "企业名称",
        "所属行业",
        "营业收入",
        None,
        "研发费用",
        None,
        "营业收入同比（%）",
    ],
    [None, None, None, None, "本年累计", "上年同期", "本年累计", "上年同期", None],
]
STATS_MERGES = ("A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:F3", "G3:H3", "I3:I4")


def stats_two_row_header():
    """Every layout habit of the statistics bureau, and the row defects they bring."""
    return draft(
        [
            ["2026年1-9月全市规模以上工业企业主要经济指标"],
            ["填报单位：海阳市统计局", None, None, None, None, None, "单位：万元"],
            *STATS_HEADER,
            [None, None, "合计", None, "=SUM(E7:E14)", None, None, None, None],  # row 5
            [None, None, "一、现代制造业", None, None, None, None, None, None],  # row 6
            [
                1,
                A,
                "黄海汽车配件有限公司",
                "现代制造业",
                12000.5,
                "10,000.25",
                300,
                250,
                "=E7/F7*100-100",
            ],  # row 7
            [
                2,
                " ９１３７１０８２ｍａ３ｃ４ｘｋｔ０ｍ ",
                "佰德信环保科技有限公司",
                "新兴产业",
                "２３４５.６",
                "—",
                " 45 ",
                "--",
                None,
            ],  # row 8
            [None] * 9,  # row 9
            [3, C, "海阳海洋食品有限公司", "海洋工业", "=E7-2000", 9000, 0, None, "=1/0"],  # row 10
            [4, D, "坏值示例有限公司", "现代制造业", "=NA()", 100, 1, 1, None],  # row 11
            [
                5,
                "91371082MA3C4XKT1Q",
                "文本示例有限公司",
                "现代制造业",
                "1.2万",
                100,
                1,
                1,
                None,
            ],  # row 12
            [
                6,
                "91371082MA3C4XKT2U",
                "负数示例有限公司",
                "现代制造业",
                500,
                400,
                -3,
                1,
                None,
            ],  # row 13
            ["其中：", None, "高新技术企业", None, 12000.5, None, None, None, None],  # row 14
            [None] * 9,
            ["注：1.本表为快报数据。2.“上年同期”为同口径数据。"],  # row 16
            ["单位负责人：张明    填表人：王芳    报出日期：2026年10月15日"],  # row 17
        ],
        STATS_MERGES,
        sheets={"填表说明": [["本表由统计局报送"], ["请勿修改表头"]]},
    )


def tax_legacy():
    """The tax bureau's single-row header in a legacy .xls, amounts in 元 in the header."""
    return draft(
        [
            ["2026年1-9月全市工业企业入库税收情况"],
            [
                "序号",
                "纳税人识别号",
                "纳税人名称",
                "入库税收本年累计（元）",
                "入库税收上年同期（元）",
            ],
            [1, A, "黄海汽车配件有限公司", 12345678, 10000000],  # row 3
            [2, None, "佰德信环保科技有限责任公司", 2345678.5, "—"],  # row 4: by name
            [3, "91371082MA3C4XKT3Y", "外地贸易有限公司", 500000, 400000],  # row 5: no firm
            [None, None, "合计", "=SUM(D3:D5)", "=SUM(E3:E5)"],  # row 6
        ]
    )


def indicators_csv():
    """A GBK CSV: no title, period only in the file name, revenue in 千元."""
    return draft(
        [
            [
                "统一社会信用代码",
                "企业名称",
                "主营业务收入本年累计（千元）",
                "主营业务收入上年同期（千元）",
            ],
            [A, "黄海汽车配件有限公司", "120,005", "100002.5"],
            [B, "佰德信环保科技有限公司", "23456", ""],
        ]
    )


def period_column():
    """A department table carrying the period in a column, amounts in 亿元."""
    return draft(
        [
            ["重点企业主要指标（分期）", None, None],
            ["单位：亿元", None, None, None],
            ["报告期", "统一社会信用代码", "企业名称", "营业收入"],
            ["2026年1-6月", A, "黄海汽车配件有限公司", 0.8],
            ["2026年三季度", A, "黄海汽车配件有限公司", 1.2],
            ["本年", A, "黄海汽车配件有限公司", 1.5],  # row 6: no period
        ]
    )


def duplicates():
    """An exact repeat of a firm-period (counted once) and two rows that disagree."""
    return draft(
        [
            ["2026年1-9月规上工业企业（补报）"],
            ["单位：万元"],
            ["统一社会信用代码", "企业名称", "营业收入本年累计"],
            [D, "双连制动系统有限公司", 5000],
            [D, "双连制动系统有限公司", 5000],
            ["91371082MA3C4XKT42", "韩孚生化有限公司", 700],
            ["91371082MA3C4XKT42", "韩孚生化有限公司", 800],
        ]
    )


def yuan_without_unit():
    """No unit anywhere, but revenue in the hundreds of millions: only yuan is possible."""
    return draft(
        [
            ["2026年1-9月企业营业收入"],
            ["统一社会信用代码", "企业名称", "营业收入本年累计"],
            ["91371082MA3C4XKT55", "金牌饲料有限公司", 234567890],
            ["91371082MA3C4XKT68", "中机模具有限公司", 98765432],
            ["91371082MA3C4XKT7B", "<script>alert(1)</script>", 45678901],
            [
                "91371082MA3C4XKT8E",
                Literal('=HYPERLINK("http://example.invalid","点我")'),
                34567890,
            ],
        ]
    )


def no_unit_ambiguous():
    return draft(
        [
            ["2026年1-9月企业营业收入"],
            ["统一社会信用代码", "企业名称", "营业收入本年累计"],
            [A, "黄海汽车配件有限公司", 12000.5],
            [B, "佰德信环保科技有限公司", 2345.6],
        ]
    )


def no_period():
    return draft(
        [
            ["全市规模以上工业企业主要经济指标"],
            ["单位：万元"],
            ["统一社会信用代码", "企业名称", "营业收入本年累计"],
            [A, "黄海汽车配件有限公司", 12000.5],
        ]
    )


def no_header():
    return draft([["2026年1-9月工作总结"], ["今年以来，全市工业经济稳中有进。"]])


def password_protected():
    """A table the reader would take, behind a password: refused for the password alone."""
    return draft(
        [
            ["2026年1-9月企业营业收入"],
            ["单位：万元"],
            ["统一社会信用代码", "企业名称", "营业收入本年累计"],
            [A, "黄海汽车配件有限公司", 12000.5],
        ]
    )


# Versions of one return (tests/test_versions.py): a 快报 and its 修订, a pair told apart
# only by the 报送日期 in the sheet, a pair nothing tells apart, and a renamed firm.
E = "91371082MA3C4XKT42"
F = "91371082MA3C4XKT55"
G = "91371082MA3C4XKT68"
STATS_TITLE = "2026年1-9月全市规模以上工业企业主要经济指标"


STATS_COLUMNS = [
    "序号",
    "统一社会信用代码",
    "企业名称",
    "所属行业",
    "营业收入本年累计",
    "营业收入上年同期",
]


def stats_version(title: str, firms: list[list], signoff: str | None = None):
    """A statistics-bureau return: title, unit line, header, total, numbered firms, note
    and sign-off."""
    total = sum(f[3] for f in firms)
    rows = [
        [title],
        ["填报单位：海阳市统计局", None, None, None, "单位：万元"],
        STATS_COLUMNS,
        [None, None, "合计", None, total, None],
        *([i, *firm] for i, firm in enumerate(firms, start=1)),
        ["注：上年同期为同口径数据。"],
    ]
    if signoff:
        rows.append([signoff])
    return draft(rows)


FLASH = [  # 万元: the 快报
    [A, "黄海汽车配件有限公司", "现代制造业", 12000, 10000],
    [B, "佰德信环保科技有限公司", "新兴产业", 9800, 9000],
    [D, "双连制动系统有限公司", "现代制造业", 4000, 3500],
    [E, "韩孚生化有限公司", "新兴产业", 1500, 1400],
]
REVISED = [  # the 修订: B and D corrected, E no longer listed, F added
    [A, "黄海汽车配件有限公司", "现代制造业", 12000, 10000],
    [B, "佰德信环保科技有限公司", "新兴产业", 10100, 9000],
    [D, "双连制动系统有限公司", "现代制造业", 4000, 3600],
    [F, "金牌饲料有限公司", "农(海)产品深加工", 2600, 2100],
]


def tax_one_taxpayer_on_two_rows():
    """A tax table where one taxpayer is listed under two tax offices, another twice
    under two names with the same figures, and a third twice with figures that differ."""
    return draft(
        [
            ["2026年1-9月全市工业企业入库税收情况"],
            ["单位：万元"],
            ["纳税人识别号", "纳税人名称", "主管税务机关", "入库税收本年累计", "入库税收上年同期"],
            [A, "黄海汽车配件有限公司", "城区税务分局", 600, 500],  # row 4
            [A, "黄海汽车配件有限公司（开发区）", "开发区税务分局", 450, None],  # row 5
            [B, "佰德信环保科技有限公司", "城区税务分局", 300, 250],  # row 6
        ]
    )


def renamed_firm():
    """One code twice with identical figures under its old and new name (one firm); one
    code twice with figures that differ (a conflict, quarantined)."""
    return draft(
        [
            ["2026年1-9月全市规模以上工业企业主要经济指标"],
            ["单位：万元"],
            STATS_COLUMNS,
            [1, A, "黄海汽车配件有限公司", "现代制造业", 12000, 10000],  # row 4
            [2, G, "中机模具有限公司", "现代制造业", 8000, 7000],  # row 5
            [3, G, "山东中机精密模具有限公司", "现代制造业", 8000, 7000],  # row 6: renamed
            [4, B, "佰德信环保科技有限公司", "新兴产业", 9800, 9000],  # row 7
            [5, B, "佰德信环保科技有限公司", "新兴产业", 9900, 9000],  # row 8: conflict
            ["注：同一代码两行、数值相同的为更名企业。"],  # row 9
        ]
    )


def merged_cells():
    """An industry merged down over its three firms (C4:C6), a revenue merged over two
    firms (D7:D8: no firm's own figure) and a note merged across the table."""
    return draft(
        [
            ["2026年1-9月重点企业主要指标"],
            ["单位：万元"],
            ["统一社会信用代码", "企业名称", "所属行业", "营业收入本年累计", "研发费用本年累计"],
            [A, "黄海汽车配件有限公司", "现代制造业", 12000.5, 300],  # row 4
            [B, "佰德信环保科技有限公司", None, 2345.6, 45],  # row 5
            [D, "双连制动系统有限公司", None, 5000, 10],  # row 6
            ["91371082MA3C4XKT55", "金牌饲料有限公司", "农(海)产品深加工", 23456.7, 100],  # 7
            ["91371082MA3C4XKT68", "中机模具有限公司", "海洋工业", None, 50],  # row 8
            [None],
            ["注：所属行业按主导产业归类。"],  # row 10
        ],
        ("C4:C6", "D7:D8", "A10:E10"),
    )


def ambiguous_headers():
    """Two columns for revenue and two for industry, the lower-ranked ones first, and the
    table starting in column B (column A left empty, as some offices do)."""
    return draft(
        [
            [None, "2026年1-9月重点企业营业收入"],
            [None, "单位：万元"],
            [
                None,
                "统一社会信用代码",
                "企业名称",
                "行业代码",
                "所属产业",
                "主营业务收入",
                "营业收入",
            ],
            [None, A, "黄海汽车配件有限公司", "C3670", "现代制造业", 11000, 12000.5],  # row 4
            [None, B, "佰德信环保科技有限公司", "N7720", "新兴产业", 2000, 2345.6],  # row 5
            [None, D, "双连制动系统有限公司", "C3670", "现代制造业", 4000, "1.2万"],  # row 6
        ]
    )


def write_versions(folder: Path) -> None:
    """The versions corpus (tests/test_versions.py)."""
    name = "2026年1-9月规模以上工业企业主要经济指标"
    pair = folder / "revision"
    save_with_libreoffice(
        stats_version(STATS_TITLE + "（快报）", FLASH), pair / f"{name}.xlsx", "xlsx"
    )
    save_with_libreoffice(
        stats_version(STATS_TITLE + "（修订）", REVISED), pair / f"{name}（修订）.xlsx", "xlsx"
    )
    dated = folder / "report_date"
    save_with_libreoffice(
        stats_version(
            STATS_TITLE, FLASH, "单位负责人：张明  填表人：王芳  报送日期：2026年10月12日"
        ),
        dated / "统计局" / f"{name}.xlsx",
        "xlsx",
    )
    save_with_libreoffice(
        stats_version(
            STATS_TITLE, REVISED, "单位负责人：张明  填表人：王芳  报送日期：2026年10月20日"
        ),
        dated / "统计局（重发）" / f"{name}.xlsx",
        "xlsx",
    )
    unsettled = folder / "unsettled"
    save_with_libreoffice(stats_version(STATS_TITLE, FLASH), unsettled / f"{name}.xlsx", "xlsx")
    save_with_libreoffice(
        stats_version(STATS_TITLE, REVISED), unsettled / "规上工业主要指标.xlsx", "xlsx"
    )
    same = folder / "within_file"
    save_with_libreoffice(renamed_firm(), same / "2026年1-9月规上工业（更名）.xlsx", "xlsx")
    save_with_libreoffice(tax_one_taxpayer_on_two_rows(), same / "2026年1-9月入库税收.xlsx", "xlsx")


def tied_headers():
    """Two columns that both read as 营业收入 with the same rank: refused, both named."""
    return draft(
        [
            ["2026年1-9月重点企业营业收入"],
            ["单位：万元"],
            ["统一社会信用代码", "企业名称", "营业收入", "营业收入（调整后）"],
            [A, "黄海汽车配件有限公司", 12000.5, 12100],
        ]
    )


def hidden_sheet():
    """A visible table, and a hidden sheet of old figures that would be refused if read
    (no unit anywhere, figures too small to be yuan)."""
    book = draft(
        [
            ["2026年1-9月重点企业营业收入"],
            ["单位：万元"],
            ["统一社会信用代码", "企业名称", "营业收入本年累计"],
            ["91371082MA3C4XKT68", "中机模具有限公司", 9876.5],
        ],
        sheets={
            "旧表": [
                ["统一社会信用代码", "企业名称", "营业收入本年累计"],
                [B, "佰德信环保科技有限公司", 12],
                [D, "双连制动系统有限公司", "作废"],
            ]
        },
    )
    book["旧表"].sheet_state = "hidden"
    book.active = book["规上工业"]  # a spreadsheet program shows a visible sheet first
    return book


def hidden_rows():
    """Four firms, two of them on rows the sheet hides (4 and 6): read all the same."""
    book = draft(
        [
            ["2026年1-9月重点企业营业收入"],
            ["单位：万元"],
            ["统一社会信用代码", "企业名称", "营业收入本年累计"],
            [A, "黄海汽车配件有限公司", 12000.5],  # row 4, hidden
            [B, "佰德信环保科技有限公司", 2345.6],  # row 5
            [D, "双连制动系统有限公司", 5000],  # row 6, hidden
            ["91371082MA3C4XKT55", "金牌饲料有限公司", 23456.7],  # row 7
        ]
    )
    for row in (4, 6):
        book.active.row_dimensions[row].hidden = True
    return book


def formulas_without_values():
    """Formulas as a report generator writes them: no saved value. D5 and C6 are in
    columns the suite reads; the total row and the 同比 column are not read."""
    return draft(
        [
            ["2026年1-9月重点企业营业收入"],
            ["单位：万元"],
            [
                "统一社会信用代码",
                "企业名称",
                "营业收入本年累计",
                "营业收入上年同期",
                "营业收入同比（%）",
            ],
            [None, "合计", "=SUM(C5:C6)", "=SUM(D5:D6)", None],  # row 4
            [A, "黄海汽车配件有限公司", 12000.5, "=C5*0.9", "=C5/D5*100-100"],  # row 5
            [B, "佰德信环保科技有限公司", "=1000+1345.6", 2000, "=C6/D6*100-100"],  # row 6
        ]
    )


def unknown_headers():
    """Two workbooks without a header the aliases know: one lacks only revenue (营收),
    the other uses no known name at all."""
    return {
        "2026年1-9月经信局重点企业.xlsx": draft(
            [
                ["2026年1-9月重点企业"],
                ["序号", "统一社会信用代码", "企业名称", "营收（万元）"],
                [1, A, "黄海汽车配件有限公司", 12000.5],
            ]
        ),
        "2026年1-9月税收.xlsx": draft(
            [["纳税编号", "户名", "税额"], ["X1", "黄海汽车配件有限公司", 1234567]]
        ),
    }


def _save_unsaved(book: openpyxl.Workbook, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)


def _unknown_headers(folder: Path) -> None:
    for name, book in unknown_headers().items():
        save_with_libreoffice(book, folder / name, "xlsx")


def monthly_columns():
    """A monthly table as the statistics bureau sends it: 本月 beside the cumulative
    1-10月累计 and 上年同期 under one merged 营业收入 header."""
    return draft(
        [
            ["2026年1-10月全市规模以上工业企业主要经济指标"],
            ["单位：万元"],
            ["统一社会信用代码", "企业名称", "营业收入", None, None],
            [None, None, "本月", "1-10月累计", "上年同期累计"],
            [A, "黄海汽车配件有限公司", 1300, 12000.5, 10000],  # row 5
            [B, "佰德信环保科技有限公司", 250, 2345.6, 2100],  # row 6
        ],
        ("A3:A4", "B3:B4", "C3:E3"),
    )


# --- Rules that tests once let break (issue 23): each file holds one case of a rule ---


def same_report_date(folder: Path) -> None:
    """Two versions of one return, no marker, both signed 报送日期 2026年10月20日: nothing
    tells which stands, so the run is refused (never the first taken)."""
    name = "2026年1-9月规模以上工业企业主要经济指标"
    signed = "单位负责人：张明  填表人：王芳  报送日期：2026年10月20日"
    save_with_libreoffice(
        stats_version(STATS_TITLE, FLASH, signed), folder / "统计局" / f"{name}.xlsx", "xlsx"
    )
    save_with_libreoffice(
        stats_version(STATS_TITLE, REVISED, signed),
        folder / "统计局（重发）" / f"{name}.xlsx",
        "xlsx",
    )


def merged_count():
    """从业人员 (a count) merged over two firms (D5:D6): no firm's own count."""
    return draft(
        [
            ["2026年1-9月重点企业主要指标"],
            ["单位：万元"],
            ["统一社会信用代码", "企业名称", "营业收入本年累计", "从业人员"],
            [A, "黄海汽车配件有限公司", 12000.5, 320],  # row 4
            [B, "佰德信环保科技有限公司", 2345.6, 85],  # row 5
            [D, "双连制动系统有限公司", 5000, None],  # row 6
        ],
        ("D5:D6",),
    )


def empty_formula():
    """A formula whose calculated result is the empty string (所属行业 left blank by
    =IF(…,"",…)): a saved value, read as an empty cell, not a formula never calculated."""
    return draft(
        [
            ["2026年1-9月重点企业营业收入"],
            ["单位：万元"],
            ["统一社会信用代码", "企业名称", "所属行业", "营业收入本年累计"],
            [A, "黄海汽车配件有限公司", '=IF(D4>0,"","未知")', 12000.5],  # row 4
            [B, "佰德信环保科技有限公司", "新兴产业", 2345.6],  # row 5
        ]
    )


def tax_rows_of_one_taxpayer():
    """A taxpayer on two rows with no 上年同期 on either (missing, not 0); another on three
    rows, one an exact repeat of another (counted once) beside a second office's row."""
    return draft(
        [
            ["2026年1-9月全市工业企业入库税收情况"],
            ["单位：万元"],
            ["纳税人识别号", "纳税人名称", "主管税务机关", "入库税收本年累计", "入库税收上年同期"],
            [A, "黄海汽车配件有限公司", "城区税务分局", 600, None],  # row 4
            [A, "黄海汽车配件有限公司（开发区）", "开发区税务分局", 450, "—"],  # row 5
            [B, "佰德信环保科技有限公司", "城区税务分局", 300, 250],  # row 6
            [B, "佰德信环保科技有限公司", "城区税务分局", 300, 250],  # row 7: exact repeat
            [B, "佰德信环保科技有限公司", "开发区税务分局", 200, 100],  # row 8
        ]
    )


def _tax_rows(folder: Path) -> None:
    save_with_libreoffice(
        stats_version(STATS_TITLE, FLASH), folder / "2026年1-9月规上工业.xlsx", "xlsx"
    )
    save_with_libreoffice(tax_rows_of_one_taxpayer(), folder / "2026年1-9月入库税收.xlsx", "xlsx")


def _code_problems(folder: Path) -> None:
    """A statistics return with a firm whose check character is wrong (C, row 6), and a
    tax table with a taxpayer the statistics do not list whose check character is wrong
    too (row 5): each must be listed with the file and row it was read from."""
    firms = [
        [A, "黄海汽车配件有限公司", "现代制造业", 12000, 10000],  # row 5
        [C, "海阳海洋食品有限公司", "海洋工业", 5000, 4000],  # row 6
    ]
    save_with_libreoffice(
        stats_version(STATS_TITLE, firms), folder / "2026年1-9月规上工业.xlsx", "xlsx"
    )
    tax = draft(
        [
            ["2026年1-9月全市工业企业入库税收情况"],
            ["单位：万元"],
            ["纳税人识别号", "纳税人名称", "入库税收本年累计", "入库税收上年同期"],
            [A, "黄海汽车配件有限公司", 600, 500],  # row 4
            ["91371082MA3C4XKT3A", "外地贸易有限公司", 50, 40],  # row 5: should end in Y
        ]
    )
    save_with_libreoffice(tax, folder / "2026年1-9月入库税收.xlsx", "xlsx")


# Folders that can be rebuilt alone, leaving every other file of the corpus as it is.
FOLDERS = {
    "merged": lambda f: save_with_libreoffice(merged_cells(), f / "合并单元格.xlsx", "xlsx"),
    "ambiguous": lambda f: save_with_libreoffice(
        ambiguous_headers(), f / "2026年1-9月两列同名.xlsx", "xlsx"
    ),
    "hidden": lambda f: (
        save_with_libreoffice(hidden_sheet(), f / "2026年1-9月隐藏工作表.xlsx", "xlsx"),
        save_with_libreoffice(hidden_rows(), f / "2026年1-9月隐藏行（补报）.xlsx", "xlsx"),
    ),
    "broken/tie": lambda f: save_with_libreoffice(
        tied_headers(), f / "2026年1-9月同级两列.xlsx", "xlsx"
    ),
    "broken/unsaved_formulas": lambda f: _save_unsaved(
        formulas_without_values(), f / "2026年1-9月程序生成.xlsx"
    ),
    "broken/unknown_headers": _unknown_headers,
    "versions": write_versions,
    "monthly": lambda f: save_with_libreoffice(
        monthly_columns(), f / "2026年1-10月规上工业.xlsx", "xlsx"
    ),
    "rules/same_report_date": same_report_date,
    "rules/merged_count": lambda f: save_with_libreoffice(
        merged_count(), f / "2026年1-9月从业人员合并.xlsx", "xlsx"
    ),
    "rules/hidden_xls": lambda f: save_with_libreoffice(
        hidden_sheet(), f / "2026年1-9月隐藏工作表.xls", "xls"
    ),
    "rules/hidden_ods": lambda f: save_with_libreoffice(
        hidden_sheet(), f / "2026年1-9月隐藏工作表.ods", "ods"
    ),
    "rules/empty_formula": lambda f: save_with_libreoffice(
        empty_formula(), f / "2026年1-9月空文本公式.xlsx", "xlsx"
    ),
    "rules/tax_rows": _tax_rows,
    "rules/code_problems": _code_problems,
}


def build(folders: list[str]) -> None:
    for name in folders:
        shutil.rmtree(HERE / name, ignore_errors=True)
        FOLDERS[name](HERE / name)


def main() -> None:
    for folder in (GOOD, BROKEN):
        shutil.rmtree(folder, ignore_errors=True)
    save_with_libreoffice(stats_two_row_header(), GOOD / "统计局" / "主要指标.xlsx", "xlsx")
    save_with_libreoffice(tax_legacy(), GOOD / "税务局" / "2026年1-9月入库税收.xls", "xls")
    save_with_libreoffice(duplicates(), GOOD / "补报" / "补报.xlsx", "xlsx")
    save_with_libreoffice(yuan_without_unit(), GOOD / "补报" / "营业收入（元）.xlsx", "xlsx")
    save_with_libreoffice(indicators_csv(), HERE / "csv" / "重点企业_2026Q3.csv", "csv")
    save_with_libreoffice(period_column(), HERE / "period_column" / "分期.xlsx", "xlsx")
    save_with_libreoffice(no_unit_ambiguous(), BROKEN / "no_unit" / "无单位.xlsx", "xlsx")
    save_with_libreoffice(no_period(), BROKEN / "no_period" / "无报告期.xlsx", "xlsx")
    save_with_libreoffice(no_header(), BROKEN / "no_header" / "工作总结.xlsx", "xlsx")
    save_encrypted_with_libreoffice(
        password_protected(), BROKEN / "password" / "2026年1-9月加密.xlsx", "tenplans"
    )
    truncated = BROKEN / "truncated" / "2026年1-9月截断.xlsx"
    truncated.parent.mkdir(parents=True)
    whole = (GOOD / "统计局" / "主要指标.xlsx").read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])
    not_a_book = BROKEN / "not_a_workbook" / "2026年1-9月.xlsx"
    not_a_book.parent.mkdir(parents=True)
    not_a_book.write_text("这不是工作簿", encoding="utf-8")
    build(list(FOLDERS))


if __name__ == "__main__":
    main() if len(sys.argv) == 1 else build(sys.argv[1:])
