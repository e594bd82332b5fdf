"""A binder rendered in parts from registry rows: 12 visits, 0 visits and missing photos, with
page numbers, contents and footers that count the whole binder (checked in the real PDF)."""

from __future__ import annotations

import io
import os
import re
from datetime import date
from pathlib import Path

from sqlalchemy import select

from server.forms.models import FormVersion
from server.printing import binder, service
from tests import pdf
from tests.fixtures import LIANGBA, SETUP, make_household
from tests.registry_factories import add_visit, photo_jpeg, signature_png


def _village(session):  # type: ignore[no-untyped-def]
    form_version = session.scalars(select(FormVersion)).first()
    busy = make_household(
        session,
        code="H440233100201-0101",
        head_name="赵大",
        address="广东省韶关市新丰县黄磜镇梁坝村第三村民小组大塘背路十二号之一"
        "（旧村委会斜对面，门前有两棵龙眼树）",
    )
    quiet = make_household(session, code="H440233100201-0102", head_name="钱二")
    broken = make_household(session, code="H440233100201-0103", head_name="孙三")
    for day in range(1, 13):  # 12 visits, small photos so the test stays fast
        add_visit(
            session,
            busy,
            form_version,
            visited_on=date(2026, 11, day * 2),
            photos=[photo_jpeg(day, (320, 240))],
            signature=signature_png(day),
            number=day,
        )
    add_visit(
        session,
        broken,
        form_version,
        visited_on=date(2026, 11, 3),
        photos=[None, None],
        signature=None,
    )
    session.commit()
    return busy, quiet, broken


def test_binder_in_parts_numbers_every_page_of_the_whole_binder(session, county):
    _village(session)
    job = service.prepare_binder(
        session,
        user=None,
        village_code=LIANGBA,
        month="2026-11",
        base_url="http://fangfan.test",
        operator=SETUP,
    )
    out = io.BytesIO()
    done = []
    result = binder.render_binder(
        job.cover,
        job.forms,
        service.load_blobs(session, job.image_shas),
        out,
        meta=job.meta,
        chunk_size=2,
        progress=done.append,
    )
    data = out.getvalue()
    if os.environ.get("FANGFAN_KEEP_PDFS"):  # a folder: keep the PDF to look at it
        pdf.save(data, Path(os.environ["FANGFAN_KEEP_PDFS"]) / "binder-parts.pdf")
    pages = pdf.page_texts(data)
    assert result.pages == len(pages) == pdf.pages(data)
    assert sum(done) == result.households == 5  # 2 from the county fixture + 3 here
    for number, text in enumerate(pages, start=1):
        assert re.search(rf"第\s*{number}\s*页\s*共\s*{len(pages)}\s*页", text), number
    # the contents' page numbers are where each household's work form really starts
    contents = pages[1]
    for code, start in result.page_numbers.items():
        name = next(
            f["household"]["head_name"] for f in job.forms if f"hh-{f['household']['code']}" == code
        )
        assert re.search(rf"{name}\s+(?:\S+\s+)?\d+\s+{start}\s*$", contents, re.M), (name, start)
        assert "帮扶工作表" in pages[start - 1] and name in pages[start - 1]
    busy_pages = "".join(
        pages[
            result.page_numbers["hh-H440233100201-0101"] - 1 : result.page_numbers[
                "hh-H440233100201-0102"
            ]
            - 1
        ]
    )
    assert all(f"第 {n} 次走访" in busy_pages for n in range(1, 13))
    assert busy_pages.count("农户签字") == 12  # each visit's signature row printed once, whole
    assert "本月无走访记录" in pages[result.page_numbers["hh-H440233100201-0102"] - 1]
    broken_text = "".join(pages[result.page_numbers["hh-H440233100201-0103"] - 1 :])
    assert broken_text.count("照片未上传") == 2
    assert "走访次数不足的户" in pages[0]
    info = pdf.info(data)
    assert info["Title"] == "梁坝村 2026年11月 帮扶工作表汇编"
    assert 'pdfaid:part="3"' in info["_xmp"]
    fonts = pdf.fonts(data)
    assert fonts and all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts)
