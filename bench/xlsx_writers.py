"""The XLSX export of a village side by side: as written (rvgsrust-xlsxwriter) and as XlsxWriter,
the well-kept library, would write it in constant memory; the two workbooks compared cell by cell.

    .venv/bin/python bench/xlsx_writers.py [--size 5000] [--rounds 3]

Prints, for each writer and round, the wall time and the processor time (less sensitive to a
busy machine), beside the reference loop of bench/run.py. docs/dependencies.md says why the
export keeps rvgsrust-xlsxwriter as long as XlsxWriter misses the 1 s target.
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app.documents.exports import rows, tabular  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Village  # noqa: E402
from exports import SLUG, build_app, fill  # noqa: E402
from run import machine_speed_ms  # noqa: E402

XLSXWRITER_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,  # texts stay texts, as the export writes them
    "strings_to_urls": False,
    "default_date_format": tabular.DATETIME_FORMAT_XLSX,
}


def write_with_xlsxwriter(village: Village, output) -> None:
    """The same workbook as tabular.write_xlsx, written by XlsxWriter."""
    from xlsxwriter import Workbook

    with Workbook(output, XLSXWRITER_OPTIONS) as workbook:
        bold = workbook.add_format({"bold": True})
        sheets = {None: workbook.add_worksheet(tabular.ALL_SHEET)}
        sheets.update({role: workbook.add_worksheet(title) for role, title in tabular.ROLE_SHEETS.items()})
        written = dict.fromkeys(sheets, 0)
        for sheet in sheets.values():
            for index, field in enumerate(rows.FIELDS):
                sheet.set_column(index, index, field.width)
            sheet.freeze_panes(1, 0)
            sheet.write_row(0, 0, rows.HEADERS, bold)
        for row in rows.listing(village):
            cells = tabular.xlsx_cells(rows.values(row))
            for key in (None, row.role):
                written[key] += 1
                sheets[key].write_row(written[key], 0, cells)
        for key, sheet in sheets.items():
            sheet.autofilter(0, 0, written[key], len(rows.FIELDS) - 1)


def differences(first: bytes, second: bytes) -> int:
    """Cells (value, number format, bold), sheets, frozen panes, filters and widths that differ."""
    a, b = load_workbook(io.BytesIO(first)), load_workbook(io.BytesIO(second))
    if a.sheetnames != b.sheetnames:
        return 1
    found = 0
    for title in a.sheetnames:
        left, right = a[title], b[title]
        found += (left.freeze_panes, left.auto_filter.ref) != (right.freeze_panes, right.auto_filter.ref)
        found += {k: d.width for k, d in left.column_dimensions.items()} != \
            {k: d.width for k, d in right.column_dimensions.items()}
        found += left.max_row != right.max_row
        for row_a, row_b in zip(left.iter_rows(), right.iter_rows()):
            found += sum((x.value, x.number_format, x.font.b) != (y.value, y.number_format, y.font.b)
                         for x, y in zip(row_a, row_b))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    writers = {"rvgsrust-xlsxwriter": tabular.write_xlsx, "XlsxWriter": write_with_xlsxwriter}
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        fill(database_url, options.size)
        app = build_app(database_url)
        with app.app_context():
            village = db.session.scalar(select(Village).where(Village.slug == SLUG))
            written = {}
            for round_number in range(options.rounds):
                for name, write in writers.items():
                    output = io.BytesIO()
                    wall, processor = time.perf_counter(), time.process_time()
                    write(village, output)
                    print(f"{options.size} inscriptions, tour {round_number + 1}, {name:>20} : "
                          f"{time.perf_counter() - wall:.2f} s ({time.process_time() - processor:.2f} s processeur)",
                          flush=True)
                    written[name] = output.getvalue()
    print(f"boucle de référence : {machine_speed_ms():.0f} ms ; "
          f"cellules différentes : {differences(*written.values())}")


if __name__ == "__main__":
    main()
