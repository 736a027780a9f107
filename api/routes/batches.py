"""Batches: upload (several files or a zip, streamed to storage), progress (also as server-sent events),
re-audit, the findings in long form and the city's summary export ("Bảng tổng hợp", XLSX and CSV)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, sessionmaker
from starlette.concurrency import run_in_threadpool

import extractor
from api import jobs, tasks
from api.auth import AnyUser, Auditor, Principal, visible_batches
from api.db import Batch, BatchItem, FindingRow, Report, User
from api.errors import ERROR_RESPONSES, invalid, not_found, too_large
from api.routes.common import FactoryDep, PageDep, SessionDep, SettingsDep, aware, iso, latest_reviews
from api.settings import Settings
from api.uploads import Item, receive, store_staged

router = APIRouter(prefix="/api/batches", tags=["lô / batches"], responses=ERROR_RESPONSES)

EVENT_INTERVAL = 0.5  # seconds between two looks at a batch's progress
EVENT_HEARTBEAT = 15.0
EVENT_MAX_SECONDS = 3600

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "một hoặc nhiều tệp báo cáo, hoặc tệp .zip / one or more files, or a zip",
                        },
                        "rubric": {"type": "string", "description": "mã bộ tiêu chí / rubric id"},
                        "name": {"type": "string", "description": "tên lô / batch name"},
                    },
                }
            }
        },
    }
}


def rubric_ids() -> set[str]:
    return {r.id for r in extractor.list_rubrics()}


def check_rubric(rubric: str | None) -> str | None:
    rubric = (rubric or "").strip() or None
    if rubric is not None and rubric not in rubric_ids():
        raise invalid(
            f"Không có bộ tiêu chí '{rubric[:100]}'",
            f"unknown rubric '{rubric[:100]}'",
            {"rubrics": sorted(rubric_ids())},
        )
    return rubric


# --- what the routes answer ------------------------------------------------------------------------------

ItemState = Literal["queued", "running", "done", "unreadable", "failed", "refused"]


class ItemReason(BaseModel):
    """Vì sao tệp không được kiểm tra / why a file was not audited: the UNREADABLE finding of its report
    (``code`` is the library's error code, e.g. ``empty_file``), ``audit_failed`` for an audit given up, or
    ``refused`` for an upload refused before storing (too large, a zip bomb, …)."""

    code: str = Field(examples=["empty_file"])
    message_vi: str = Field(examples=["Không đọc được tệp: Tệp rỗng, không có nội dung."])
    message_en: str = Field(examples=["The file is empty."])


class BatchItemView(BaseModel):
    id: int
    filename: str
    sha256: str | None
    report_id: int | None
    state: ItemState
    status: str | None = Field(description="ok / partial / unreadable khi đã kiểm tra / once audited")
    error: str | None = Field(description='lý do, "tiếng Việt / English" / the reason, "Vietnamese / English"')
    reason: ItemReason | None = Field(
        description="lý do của tệp không đọc được, bị từ chối hoặc lỗi / why it is unreadable, refused or failed"
    )


class BatchCounts(BaseModel):
    id: str
    name: str | None
    rubric: str | None
    commune: str | None
    created_at: str | None
    total: int
    queued: int
    running: int
    done: int
    unreadable: int
    failed: int
    refused: int
    finished: bool


class BatchProgress(BatchCounts):
    items: list[BatchItemView]


class BatchList(BaseModel):
    total: int
    page: int
    per_page: int
    batches: list[BatchCounts]


class UploadedItems(BaseModel):
    id: str
    name: str | None
    rubric: str | None
    commune: str | None
    items: list[BatchItemView]


# --- upload --------------------------------------------------------------------------------------------------


@router.post(
    "",
    status_code=201,
    openapi_extra=UPLOAD_BODY,
    responses={201: {"model": UploadedItems, "description": "lô đã nhận / the batch received"}},
    summary="Tải lên một lô tệp / upload a batch",
    description=(
        "Nhận nhiều tệp (trường `files`) hoặc tệp .zip; mỗi tệp được lưu một lần theo sha256 và kiểm tra một "
        "lần với cùng bộ tiêu chí và phiên bản. Tệp quá lớn: 413 nếu đó là cả yêu cầu, nếu không thì mục đó bị "
        "từ chối và lô vẫn tiếp tục. / Several files or a zip; the same bytes are stored and audited once."
    ),
)
async def upload_batch(
    request: Request,
    principal: AnyUser,
    rubric: Annotated[str | None, Query(description="mã bộ tiêu chí / rubric id")] = None,
    name: Annotated[str | None, Query(max_length=500, description="tên lô / batch name")] = None,
) -> JSONResponse:
    settings: Settings = request.app.state.settings
    factory: sessionmaker[Session] = request.app.state.factory
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > settings.max_batch_bytes:
        raise too_large(settings.max_batch_bytes, "lô tải lên", "the upload")
    chosen = check_rubric(rubric)
    received = await receive(request.stream(), request.headers.get("content-type"), settings)
    try:
        if chosen is None:
            chosen = check_rubric(received.fields.get("rubric"))
        label = (name or received.fields.get("name") or "").strip()[:500] or None
        if not received.files:
            raise invalid("Không có tệp nào trong yêu cầu (trường 'files')", "no file in the request (field 'files')")
        if len(received.files) == 1 and received.files[0].too_large:
            raise too_large(settings.max_upload_bytes)
        items = await run_in_threadpool(store_staged, settings, received)
        if len(received.files) == 1 and received.files[0].too_large:  # a DOCX/XLSX over the limit
            raise too_large(settings.max_upload_bytes)
    finally:
        received.cleanup()
    out, created = await run_in_threadpool(_record_batch, factory, principal, label, chosen or settings.rubric, items)
    await run_in_threadpool(jobs.submit, settings, created)
    return JSONResponse(out, status_code=201, headers={"Location": f"/api/batches/{out['id']}"})


def _record_batch(
    factory: sessionmaker[Session], principal: Principal, name: str | None, rubric: str | None, items: list[Item]
) -> tuple[dict[str, Any], list[int]]:
    created: list[int] = []
    with factory.begin() as session:
        batch = Batch(
            id=uuid.uuid4().hex,
            name=name,
            created_by=principal.user_id,
            commune=principal.commune if principal.is_commune else None,
            rubric=rubric,
        )
        session.add(batch)
        rows: list[BatchItem] = []
        for item in items:
            report_id = None
            if item.stored is not None:
                tasks.add_file(session, item.stored, item.filename)
                report, new = tasks.enqueue(session, item.stored.sha256, rubric)
                session.flush()
                report_id = report.id
                if new:
                    created.append(report.id)
            row = BatchItem(
                batch_id=batch.id,
                sha256=item.stored.sha256 if item.stored else None,
                filename=item.filename,
                report_id=report_id,
                error=item.error,
            )
            session.add(row)
            rows.append(row)
        session.flush()
        out = {
            "id": batch.id,
            "name": batch.name,
            "rubric": batch.rubric,
            "commune": batch.commune,
            "items": [_item_view(row, row.report) for row in rows],
        }
    return out, created


# --- reading batches ------------------------------------------------------------------------------------------


def _item_state(item: BatchItem, report: Report | None) -> str:
    if report is None:
        return "refused"
    if report.state == "done" and report.status == "unreadable":
        return "unreadable"
    return report.state


def _split(message: str) -> tuple[str, str]:
    """A stored "vi / en" reason as its two halves (the Vietnamese one twice when there is no English)."""
    vi, _, en = message.partition(" / ")
    return vi, en or vi


def _item_view(item: BatchItem, report: Report | None, why: ItemReason | None = None) -> dict[str, Any]:
    """One file of the batch; ``why``: the reason its stored report gives (for an unreadable one)."""
    state = _item_state(item, report)
    error = item.error or (report.error if report is not None and report.state != "done" else None)
    reason = why
    if reason is None and error and state in ("refused", "failed"):
        vi, en = _split(error)
        reason = ItemReason(code="refused" if state == "refused" else "audit_failed", message_vi=vi, message_en=en)
    if reason is not None and error is None:
        error = f"{reason.message_vi} / {reason.message_en}"
    return {
        "id": item.id,
        "filename": item.filename,
        "sha256": item.sha256,
        "report_id": item.report_id,
        "state": state,
        "status": report.status if report else None,
        "error": error,
        "reason": reason.model_dump() if reason is not None else None,
    }


def get_batch(session: Session, principal: Principal, batch_id: str) -> Batch:
    batch = session.scalars(select(Batch).where(Batch.id == batch_id, visible_batches(principal))).first()
    if batch is None:
        raise not_found("lô", "batch", batch_id)
    return batch


def _items(session: Session, batch_id: str, with_json: bool = False) -> list[tuple[BatchItem, Report | None]]:
    """The batch's files and their reports; the stored report JSON (large) only when ``with_json``."""
    query = (
        select(BatchItem, Report)
        .outerjoin(Report, Report.id == BatchItem.report_id)
        .where(BatchItem.batch_id == batch_id)
        .order_by(BatchItem.id)
    )
    if not with_json:
        query = query.options(defer(Report.report_json))
    return [(item, report) for item, report in session.execute(query).all()]


def unreadable_reasons(session: Session, report_ids: set[int]) -> dict[int, ItemReason]:
    """The reason each unreadable report stores: its UNREADABLE finding (message in Vietnamese; the error code
    and the English message in the finding's ``found``). Only these reports' JSON is read, and an unreadable
    report's JSON is small (no scorecard, one finding)."""
    out: dict[int, ItemReason] = {}
    ids = sorted(report_ids)
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(Report.id, Report.report_json).where(Report.id.in_(ids[start : start + 500]))
        ).all()
        for report_id, data in rows:
            findings = (data or {}).get("findings") or []
            for f in findings:
                if isinstance(f, dict) and f.get("code") == "UNREADABLE":
                    found: dict[str, Any] = f["found"] if isinstance(f.get("found"), dict) else {}
                    vi = str(f.get("message") or "Không đọc được tệp")
                    out[report_id] = ItemReason(
                        code=str(found.get("code") or "unreadable"),
                        message_vi=vi,
                        message_en=str(found.get("message_en") or "The file could not be read."),
                    )
                    break
    return out


STATES = ("queued", "running", "done", "unreadable", "failed", "refused")


def progress(session: Session, batch: Batch, with_items: bool = True) -> dict[str, Any]:
    pairs = _items(session, batch.id)
    counts = dict.fromkeys(STATES, 0)
    for item, report in pairs:
        counts[_item_state(item, report)] += 1
    out: dict[str, Any] = {
        "id": batch.id,
        "name": batch.name,
        "rubric": batch.rubric,
        "commune": batch.commune,
        "created_at": iso(batch.created_at),
        "total": len(pairs),
        **counts,
        "finished": counts["queued"] + counts["running"] == 0,
    }
    if with_items:
        unreadable = {r.id for i, r in pairs if r is not None and _item_state(i, r) == "unreadable"}
        why = unreadable_reasons(session, unreadable) if unreadable else {}
        out["items"] = [_item_view(item, report, why.get(report.id) if report else None) for item, report in pairs]
    return out


@router.get("", summary="Danh sách lô / list batches", response_model=BatchList)
def list_batches(session: SessionDep, principal: AnyUser, page: PageDep) -> dict[str, Any]:
    where = visible_batches(principal)
    total = session.scalar(select(func.count()).select_from(Batch).where(where)) or 0
    rows = session.scalars(
        select(Batch).where(where).order_by(Batch.created_at.desc(), Batch.id).offset(page.offset).limit(page.per_page)
    ).all()
    return {
        "total": total,
        "page": page.page,
        "per_page": page.per_page,
        "batches": [progress(session, b, with_items=False) for b in rows],
    }


@router.get(
    "/{batch_id}",
    summary="Tiến độ của lô / batch progress",
    description=(
        "Số tệp theo trạng thái và từng tệp; tệp không đọc được, bị từ chối hoặc lỗi có lý do (`reason`: mã, "
        "tiếng Việt, tiếng Anh) như báo cáo của nó ghi. / Counts by state and each file; an unreadable, refused "
        "or failed file carries its reason as its report stores it."
    ),
    response_model=BatchProgress,
)
def batch_progress(batch_id: str, session: SessionDep, principal: AnyUser) -> dict[str, Any]:
    return progress(session, get_batch(session, principal, batch_id))


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _poll(factory: sessionmaker[Session], batch_id: str) -> dict[str, Any]:
    with factory() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        return progress(session, batch, with_items=False)


@router.get(
    "/{batch_id}/events",
    summary="Tiến độ dạng sự kiện (SSE) / progress as server-sent events",
    description=(
        "Một sự kiện `progress` mỗi khi số liệu thay đổi, rồi `done` khi mọi tệp xong; "
        "`timeout` nếu quá `timeout` giây. / A `progress` event on each change, then `done`."
    ),
    response_class=StreamingResponse,
)
async def batch_events(
    batch_id: str,
    request: Request,
    principal: AnyUser,
    timeout: Annotated[float, Query(gt=0, le=EVENT_MAX_SECONDS, description="giây tối đa / seconds at most")] = 600,
) -> StreamingResponse:
    factory: sessionmaker[Session] = request.app.state.factory

    def check() -> None:
        with factory() as session:
            get_batch(session, principal, batch_id)

    await run_in_threadpool(check)

    async def stream() -> AsyncIterator[str]:
        deadline = time.monotonic() + timeout
        last: dict[str, Any] | None = None
        beat = time.monotonic()
        while True:
            state = await run_in_threadpool(_poll, factory, batch_id)
            if state != last:
                yield _sse("progress", state)
                last, beat = state, time.monotonic()
            if state["finished"]:
                yield _sse("done", state)
                return
            if time.monotonic() >= deadline:
                yield _sse("timeout", state)
                return
            if time.monotonic() - beat >= EVENT_HEARTBEAT:
                yield ": keep-alive\n\n"
                beat = time.monotonic()
            if await request.is_disconnected():
                return
            await asyncio.sleep(EVENT_INTERVAL)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )


@router.post(
    "/{batch_id}/reaudit",
    status_code=202,
    summary="Kiểm tra lại cả lô / re-audit a batch",
    description=(
        "Kiểm tra lại mọi tệp của lô bằng phiên bản hiện tại và bộ tiêu chí đã chọn (mặc định: của lô). "
        "Tệp đã được kiểm tra với cùng phiên bản và bộ tiêu chí không bị kiểm tra lại. / Audit the batch again."
    ),
)
def reaudit_batch(
    batch_id: str,
    settings: SettingsDep,
    factory: FactoryDep,
    session: SessionDep,
    principal: Auditor,
    payload: Annotated[dict[str, Any] | None, Body(examples=[{"rubric": "hp-cds-xa-quy-2026"}])] = None,
) -> dict[str, Any]:
    get_batch(session, principal, batch_id)
    raw = (payload or {}).get("rubric")
    if raw is not None and not isinstance(raw, str):
        raise invalid("rubric phải là chuỗi", "rubric must be a string")
    rubric = check_rubric(raw)
    created = jobs.reaudit(settings, factory, batch_id, rubric)
    session.expire_all()
    return {"id": batch_id, "rubric": rubric, "created": created, "queued": len(created)}


# --- findings and exports --------------------------------------------------------------------------------------


def _finding_rows(session: Session, batch_id: str) -> list[tuple[BatchItem, Report, FindingRow]]:
    query = (
        select(BatchItem, Report, FindingRow)
        .join(Report, Report.id == BatchItem.report_id)
        .join(FindingRow, FindingRow.report_id == Report.id)
        .where(BatchItem.batch_id == batch_id)
        .order_by(BatchItem.id, FindingRow.idx)
    )
    return [(i, r, f) for i, r, f in session.execute(query).all()]


def finding_view(finding: FindingRow, review: Any, report: Report, filename: str | None) -> dict[str, Any]:
    return {
        "id": finding.id,
        "report_id": report.id,
        "filename": filename,
        "commune": report.commune,
        "period": report.period,
        "idx": finding.idx,
        "code": finding.code,
        "severity": finding.severity,
        "criterion_id": finding.criterion_id,
        "message": finding.message,
        "quote": finding.quote,
        "page": finding.page,
        "decision": review.decision if review is not None else None,
        "decided_at": iso(review.created_at) if review is not None else None,
    }


def entries(session: Session, batch_id: str) -> list[Any]:
    """The batch's files as the library's summary entries, with their review decisions (latest counts)."""
    out: list[Any] = []
    users = {u.id: u.name for u in session.scalars(select(User)).all()}
    for item, report in _items(session, batch_id, with_json=True):
        if report is None:
            vi, _, en = (item.error or "bị từ chối / refused").partition(" / ")
            out.append(
                extractor.SummaryEntry(
                    file=item.filename,
                    report=extractor.aborted_report(item.filename, item.sha256 or "", vi, en or vi),
                    reviews={},
                )
            )
            continue
        if report.state != "done" or report.report_json is None:
            continue
        findings = session.scalars(select(FindingRow).where(FindingRow.report_id == report.id)).all()
        latest = latest_reviews(session, [f.id for f in findings])
        by_id = {f.id: f.idx for f in findings}
        reviews = {
            by_id[fid]: extractor.ReviewNote(
                decision=r.decision, note=r.note, user=users.get(r.user_id), at=aware(r.created_at)
            )
            for fid, r in latest.items()
        }
        out.append(
            extractor.SummaryEntry(
                file=item.filename, report=extractor.Report.model_validate(report.report_json), reviews=reviews
            )
        )
    return out


@router.get(
    "/{batch_id}/findings",
    summary="Các phát hiện của lô, dạng dài / the batch's findings in long form",
    description="`?format=csv` cho tệp CSV / `?format=csv` for a CSV file.",
)
def batch_findings(
    batch_id: str,
    session: SessionDep,
    principal: AnyUser,
    page: PageDep,
    format: Annotated[str, Query(pattern="^(json|csv)$", description="json | csv")] = "json",
) -> Any:
    batch = get_batch(session, principal, batch_id)
    if format == "csv":
        text = extractor.findings_csv(entries(session, batch.id))
        return _download(text.encode("utf-8"), "text/csv; charset=utf-8", f"phat-hien-{batch.id}.csv")
    rows = _finding_rows(session, batch.id)
    latest = latest_reviews(session, [f.id for _, _, f in rows])
    chosen = rows[page.offset : page.offset + page.per_page]
    return {
        "batch_id": batch.id,
        "total": len(rows),
        "page": page.page,
        "per_page": page.per_page,
        "findings": [finding_view(f, latest.get(f.id), r, i.filename) for i, r, f in chosen],
    }


def _download(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/{batch_id}/export.xlsx",
    summary="Bảng tổng hợp của lô (XLSX) / the batch's summary (XLSX)",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def export_xlsx(batch_id: str, session: SessionDep, principal: AnyUser) -> Response:
    batch = get_batch(session, principal, batch_id)
    data = extractor.summary_xlsx(entries(session, batch.id))
    return _download(data, XLSX, f"bang-tong-hop-{batch.id}.xlsx")


@router.get(
    "/{batch_id}/export.csv",
    summary="Bảng tổng hợp của lô (CSV) / the batch's summary (CSV)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_csv(batch_id: str, session: SessionDep, principal: AnyUser) -> Response:
    batch = get_batch(session, principal, batch_id)
    text = extractor.summary_csv(entries(session, batch.id))
    return _download(text.encode("utf-8"), "text/csv; charset=utf-8", f"bang-tong-hop-{batch.id}.csv")
