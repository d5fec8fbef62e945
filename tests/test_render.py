"""Rendering: statements to PDF with LibreOffice, PDF pages to PNG with pdftoppm, and the PNG
reader that tells a drawn page from a blank one."""
from __future__ import annotations

import shutil
import struct
import subprocess
import zlib

import numpy as np
import pytest

from dealerxl.cli import main
from dealerxl.report import render
from dealerxl.report.render import (
    RenderUnavailable,
    inked_share,
    page_count,
    pdf_to_png,
    png_pixels,
    to_pdf,
    write_profile,
)
from dealerxl.report.statements import sheet_names, write_statements

MONTH = "2026-10"


@pytest.fixture(scope="module")
def result(sample_statements):
    return sample_statements


@pytest.fixture(scope="module")
def statement_pdf(result, tmp_path_factory):
    folder = tmp_path_factory.mktemp("render")
    workbook = write_statements(result, folder / "statements.xlsx")
    return to_pdf([workbook], folder / "pdf")[0]


def png_bytes(pixels: np.ndarray, filters: list[int]) -> bytes:
    """An 8-bit greyscale PNG of ``pixels`` with each scanline encoded with the filter given
    (None 0, Sub 1, Up 2, Average 3, Paeth 4), written here the way the PNG specification
    defines the filters."""
    height, width = pixels.shape
    rows, above = [], np.zeros(width, dtype=int)
    for y in range(height):
        line = pixels[y].astype(int)
        left = np.concatenate([[0], line[:-1]])
        upper_left = np.concatenate([[0], above[:-1]])
        kind = filters[y]
        if kind == 0:
            encoded = line
        elif kind == 1:
            encoded = line - left
        elif kind == 2:
            encoded = line - above
        elif kind == 3:
            encoded = line - (left + above) // 2
        else:
            estimate = left + above - upper_left
            pa, pb, pc = abs(estimate - left), abs(estimate - above), abs(estimate - upper_left)
            choice = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, above, upper_left))
            encoded = line - choice
        rows.append(bytes([kind]) + bytes((encoded % 256).astype(np.uint8)))
        above = line

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


def test_the_png_reader_undoes_every_scanline_filter(tmp_path):
    pixels = np.random.default_rng(7).integers(0, 256, size=(10, 9)).astype(np.uint8)
    path = tmp_path / "filters.png"
    path.write_bytes(png_bytes(pixels, [0, 1, 2, 3, 4, 4, 3, 2, 1, 0]))
    np.testing.assert_array_equal(png_pixels(path)[..., 0], pixels)


def test_a_white_page_has_no_ink_and_a_drawn_one_has_some(tmp_path):
    white = np.full((20, 30), 255, dtype=np.uint8)
    drawn = white.copy()
    drawn[5:10, 5:25] = 0
    (tmp_path / "white.png").write_bytes(png_bytes(white, [1] * 20))
    (tmp_path / "drawn.png").write_bytes(png_bytes(drawn, [4] * 20))
    assert inked_share(tmp_path / "white.png") == 0.0
    assert inked_share(tmp_path / "drawn.png") == pytest.approx(100 / 600)


def test_the_profile_asks_libreoffice_to_recalculate_every_file_it_opens(tmp_path):
    settings = (write_profile(tmp_path / "profile") / "user" / "registrymodifications.xcu").read_text("utf-8")
    assert 'oor:name="OOXMLRecalcMode"' in settings and "<value>0</value>" in settings


def test_a_missing_libreoffice_is_a_clear_message(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RenderUnavailable) as caught:
        render.LibreOffice()
    assert "apt-get install libreoffice-calc-nogui" in caught.value.message("en")
    assert "LibreOffice" in caught.value.message("zh-Hant")


@pytest.mark.libreoffice
def test_every_statement_sheet_renders_to_at_least_one_page(result, statement_pdf):
    assert page_count(statement_pdf) >= len(result.tables["dealers"])


@pytest.mark.libreoffice
def test_a_rendered_statement_page_is_not_blank_and_matches_pdftoppms_own_pixels(statement_pdf, tmp_path):
    png = pdf_to_png(statement_pdf, tmp_path / "page.png", page=1, dpi=40)
    assert inked_share(png) > 0.01
    # the same page as a plain greyscale map (PGM) from pdftoppm: our PNG reader must agree
    subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(statement_pdf),
                    str(tmp_path / "page")], check=True)
    pgm = (tmp_path / "page.pgm").read_bytes()
    magic, width, height, _depth, data = pgm.split(maxsplit=4)
    grey = np.frombuffer(data[:int(width) * int(height)], dtype=np.uint8).reshape(int(height), int(width))
    colour = png_pixels(png)[..., :3].astype(float)
    # poppler's grey is its own weighting of the colours: allow one step of rounding
    assert magic == b"P5" and np.abs(colour.mean(axis=2) - grey).max() < 40
    assert np.corrcoef(colour.mean(axis=2).ravel(), grey.ravel().astype(float))[0, 1] > 0.99


@pytest.mark.libreoffice
def test_pdf_option_writes_one_pdf_of_one_page_per_dealer(sample_book, result, tmp_path, capsys):
    dealers = result.tables["dealers"]
    chosen = dealers.iloc[[0, 5, 16]]
    out = tmp_path / "statements.xlsx"
    assert main(["statements", str(sample_book), "--month", MONTH, "--dealers", *chosen["dealer_id"], "--pdf",
                 "--out", str(out)]) == 0
    folder = tmp_path / "statements"
    expected = [f"{name}.pdf" for name in sheet_names(chosen["dealer_id"], chosen["dealer_name"])]
    assert sorted(p.name for p in folder.iterdir()) == sorted(expected)
    for name in expected:
        assert page_count(folder / name) == 1
    assert str(folder) in capsys.readouterr().out


def test_the_docs_picture_shows_a_dealer_with_a_rebate_and_money_overdue(result):
    from dealerxl.report.render_docs import showcase_dealer

    chosen = showcase_dealer(result)
    assert chosen in set(result.tables["incentives"]["dealer_id"])
    ageing = result.tables["ageing"].set_index("dealer_id")
    assert ageing.loc[chosen, "overdue_amount"] > 0
