"""Reports: the list with filters, one report (exactly the contract's REPORT), its totals after review, its
original file, a page drawn as an image, and its findings. A commune sees only the reports of its own
batches; any other id is "not found"."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, defer

import extractor
from api.auth import AnyUser, Principal, visible_reports
from api.db import BatchItem, FindingRow, Report, StoredFile, User
from api.errors import ERROR_RESPONSES, ApiError, not_found
from api.routes.common import Id, PageDep, SessionDep, SettingsDep, fold, iso, latest_reviews, report_summary
from api.routes.findings import finding_out
from api.storage import original_path

router = APIRouter(prefix="/api/reports", tags=["báo cáo / reports"], responses=ERROR_RESPONSES)

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "txt": "text/plain; charset=utf-8",
    "md": "text/plain; charset=utf-8",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "tif": "image/tiff",
    "tiff": "image/tiff",
}


def get_report(session: Session, principal: Principal, report_id: int) -> Report:
    row = session.scalars(select(Report).where(Report.id == report_id, visible_reports(principal))).first()
    if row is None:
        raise not_found("báo cáo", "report", report_id)
    return row


def done_report(session: Session, principal: Principal, report_id: int) -> Report:
    row = get_report(session, principal, report_id)
    if row.state != "done" or row.report_json is None:
        raise ApiError(
            409,
            "not_ready",
            "Báo cáo chưa kiểm tra xong",
            "the report has not been audited yet",
            {"id": report_id, "state": row.state},
        )
    return row


def filename_of(session: Session, row: Report) -> str:
    """The name the file was audited under: its first upload's (``source.path`` of the report)."""
    stored = session.get(StoredFile, row.sha256)
    return stored.first_name if stored is not None else row.sha256


def _filtered(
    principal: Principal,
    verdict: str | None,
    has_errors: bool | None,
    code: str | None,
    batch: str | None,
    status: str | None,
    state: str | None,
) -> Select[Any]:
    query = select(Report).where(visible_reports(principal))
    if verdict:
        query = query.where(Report.verdict == verdict)
    if has_errors is not None:
        query = query.where(Report.errors > 0 if has_errors else Report.errors == 0)
    if code:
        query = query.where(
            exists(select(FindingRow.id).where(FindingRow.report_id == Report.id, FindingRow.code == code))
        )
    if batch:
        query = query.where(
            exists(select(BatchItem.id).where(BatchItem.report_id == Report.id, BatchItem.batch_id == batch))
        )
    if status:
        query = query.where(Report.status == status)
    if state:
        query = query.where(Report.state == state)
    return query


_QUARTER = re.compile(r"(\d{4})-?Q([1-4])", re.IGNORECASE)


def period_matches(wanted: str, label: str | None, start: dt.date | None) -> bool:
    """A period filter: "2026-Q2" matches a quarter by its first day; any other text the label, compared
    without case or tone marks ("quy ii nam 2026" matches "QUÝ II NĂM 2026")."""
    quarter = _QUARTER.fullmatch(wanted.strip())
    if quarter:
        year, q = int(quarter.group(1)), int(quarter.group(2))
        return start is not None and start.year == year and (start.month - 1) // 3 + 1 == q
    return label is not None and " ".join(fold(wanted).split()) == " ".join(fold(label).split())


@router.get(
    "",
    summary="Danh sách báo cáo / list reports",
    description=(
        "Lọc theo xã (không phân biệt dấu, chứa chuỗi), kỳ, kết luận, có lỗi, mã phát hiện, `q` (số văn bản "
        "hoặc tên xã), lô, trạng thái. / Filters: commune (accent-insensitive contains), period, verdict, …"
    ),
)
def list_reports(
    session: SessionDep,
    principal: AnyUser,
    page: PageDep,
    commune: Annotated[str | None, Query(max_length=200, description="tên xã, không cần dấu / commune")] = None,
    period: Annotated[
        str | None,
        Query(max_length=100, description="kỳ: nhãn (không phân biệt hoa thường, dấu) hoặc 2026-Q2 / period"),
    ] = None,
    verdict: Annotated[Literal["dat", "khong_dat"] | None, Query(description="kết luận / verdict")] = None,
    has_errors: Annotated[bool | None, Query(description="có phát hiện mức lỗi / has error findings")] = None,
    code: Annotated[str | None, Query(max_length=60, description="mã phát hiện / finding code")] = None,
    q: Annotated[str | None, Query(max_length=200, description="tìm số văn bản, tên xã / search")] = None,
    batch: Annotated[str | None, Query(max_length=36, description="mã lô / batch id")] = None,
    status: Annotated[
        Literal["ok", "partial", "unreadable"] | None, Query(description="ok | partial | unreadable")
    ] = None,
    state: Annotated[
        Literal["queued", "running", "done", "failed"] | None, Query(description="trạng thái công việc / job state")
    ] = None,
) -> dict[str, Any]:
    query = _filtered(principal, verdict, has_errors, code, batch, status, state)
    order = (Report.id.desc(),)
    if commune or q or period:
        # accent- and case-insensitive matching on the folded text (the same on SQLite and PostgreSQL)
        keys = session.execute(
            query.with_only_columns(
                Report.id, Report.commune, Report.doc_number, Report.period, Report.period_start
            ).order_by(*order)
        ).all()
        want_commune, want_q = fold(commune), fold(q)
        ids = [
            rid
            for rid, rc, rn, label, start in keys
            if (not want_commune or want_commune in fold(rc))
            and (not want_q or want_q in fold(rc) or want_q in fold(rn))
            and (not period or period_matches(period, label, start))
        ]
        total = len(ids)
        chosen = ids[page.offset : page.offset + page.per_page]
        found = session.scalars(select(Report).options(defer(Report.report_json)).where(Report.id.in_(chosen)))
        rows = {r.id: r for r in found.all()}
        reports = [rows[i] for i in chosen]
    else:
        total = session.scalar(query.with_only_columns(func.count(Report.id)).order_by(None)) or 0
        paged = query.options(defer(Report.report_json)).order_by(*order).offset(page.offset).limit(page.per_page)
        reports = list(session.scalars(paged).all())
    names = dict(
        session.execute(
            select(StoredFile.sha256, StoredFile.first_name).where(StoredFile.sha256.in_({r.sha256 for r in reports}))
        ).all()
    )
    return {
        "total": total,
        "page": page.page,
        "per_page": page.per_page,
        "reports": [report_summary(r, names.get(r.sha256)) for r in reports],
    }


@router.get(
    "/{report_id}",
    summary="Một báo cáo (REPORT của hợp đồng) / one report (the contract's REPORT)",
    description="Đúng JSON mà `extractor audit FILE --format json` in ra. / Exactly what the CLI prints.",
)
def one_report(report_id: Id, session: SessionDep, principal: AnyUser) -> JSONResponse:
    row = done_report(session, principal, report_id)
    return JSONResponse(row.report_json)


@router.get(
    "/{report_id}/review",
    summary="Tổng điểm trước và sau khi rà soát / totals before and after review",
)
def report_review(report_id: Id, session: SessionDep, principal: AnyUser) -> dict[str, Any]:
    row = done_report(session, principal, report_id)
    findings = session.scalars(select(FindingRow).where(FindingRow.report_id == row.id).order_by(FindingRow.idx)).all()
    from api.db import Review

    history = session.scalars(
        select(Review).where(Review.finding_id.in_([f.id for f in findings])).order_by(Review.created_at, Review.id)
    ).all()
    latest = latest_reviews(session, [f.id for f in findings])
    by_id = {f.id: f for f in findings}
    dismissed = sorted(by_id[fid].idx for fid, r in latest.items() if r.decision == "dismiss")
    report = extractor.Report.model_validate(row.report_json)
    before = extractor.reviewed_totals(report, [])
    after = extractor.reviewed_totals(report, dismissed)
    users = {u.id: u.name for u in session.scalars(select(User).where(User.id.in_({r.user_id for r in history})))}
    return {
        "report_id": row.id,
        "before": before.model_dump(mode="json"),
        "after": after.model_dump(mode="json"),
        "decisions": [
            {
                "id": r.id,
                "finding_id": r.finding_id,
                "idx": by_id[r.finding_id].idx,
                "code": by_id[r.finding_id].code,
                "decision": r.decision,
                "note": r.note,
                "user": {"id": r.user_id, "name": users.get(r.user_id)},
                "created_at": iso(r.created_at),
                "current": latest.get(r.finding_id) is r,
            }
            for r in history
        ],
    }


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A header every browser reads safely: an ASCII fallback and the real name as RFC 5987 ``filename*``."""
    plain = unicodedata.normalize("NFD", filename.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    ascii_name = re.sub(r"[^A-Za-z0-9._ ()-]", "_", plain).strip() or "file"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get(
    "/{report_id}/file",
    summary="Tệp gốc của báo cáo / the report's original file",
    response_class=Response,
)
def original_file(report_id: Id, session: SessionDep, settings: SettingsDep, principal: AnyUser) -> Response:
    row = get_report(session, principal, report_id)
    path = original_path(settings, row.sha256)
    if not path.is_file():
        raise not_found("tệp gốc", "original file", report_id)
    name = filename_of(session, row)
    fmt = str(((row.report_json or {}).get("source") or {}).get("format") or "").lower()
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    media = MEDIA_TYPES.get(fmt) or MEDIA_TYPES.get(ext) or "application/octet-stream"
    return FileResponse(
        path,
        media_type=media,
        headers={
            "Content-Disposition": content_disposition(name),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, max-age=3600",
        },
    )


@router.get(
    "/{report_id}/pages/{page}.png",
    summary="Một trang vẽ thành ảnh PNG / one page as a PNG image",
    description="Trang đánh số từ 1; `dpi` 36–300. / Pages from 1; dpi 36–300.",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
def page_png(
    report_id: Id,
    page: int,
    session: SessionDep,
    settings: SettingsDep,
    principal: AnyUser,
    dpi: Annotated[int, Query(ge=36, le=300, description="độ phân giải / dots per inch")] = 110,
) -> Response:
    row = get_report(session, principal, report_id)
    path = original_path(settings, row.sha256)
    if not path.is_file():
        raise not_found("tệp gốc", "original file", report_id)
    if page < 1:
        raise not_found("trang", "page", page)
    try:
        png = extractor.page_image(path.read_bytes(), page, dpi)
    except extractor.InputError as err:
        status = 404 if err.code in ("page_out_of_range", "not_paged", "no_pages") else 422
        raise ApiError(status, err.code, err.message_vi, err.message_en, {"page": page}) from err
    return Response(
        png,
        media_type="image/png",
        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/{report_id}/findings", summary="Các phát hiện của báo cáo / the report's findings")
def report_findings(report_id: Id, session: SessionDep, principal: AnyUser) -> dict[str, Any]:
    row = get_report(session, principal, report_id)
    findings = session.scalars(select(FindingRow).where(FindingRow.report_id == row.id).order_by(FindingRow.idx)).all()
    latest = latest_reviews(session, [f.id for f in findings])
    return {
        "report_id": row.id,
        "total": len(findings),
        "findings": [finding_out(f, latest.get(f.id)) for f in findings],
    }
