"""The web app's pages (Vietnamese, rendered on the server; a little JavaScript in ``static/app.js``).

| path | page |
|---|---|
| ``/`` | the batches the user may see (``/?token=…``, the first-run address, signs in and comes back clean) |
| ``/dang-nhap`` | sign-in with a token (GET form, POST; at most ``LOGIN_LIMIT`` attempts a minute per address) |
| ``/dang-xuat`` | sign-out (POST with the CSRF token) |
| ``/tai-len`` | upload: drag and drop or pick files or a zip; progress per file while uploading and auditing |
| ``/lo/{batch_id}`` | a batch's dashboard: one row per report, filters, totals, chart, XLSX summary |
| ``/bao-cao/{report_id}`` | a report: facts, signatures, scorecard, findings with their source, review |

Every page reads the same data as the API with the same commune scope (``api.auth.visible_*``); the
browser's own requests to ``/api/`` carry the session cookie and, for POSTs, the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session, defer, sessionmaker

import extractor
from api.auth import Principal, authenticate, can_see_report, session_principal, visible_batches, visible_reports
from api.db import Batch, BatchItem, FindingRow, Report, Review, StoredFile
from api.routes.batches import STATES as ITEM_STATES
from api.routes.common import fold, latest_reviews, points
from api.storage import original_path
from api.web import session as web_session

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)

LOGIN_LIMIT = 10  # failed sign-in attempts per client address per minute
PAGE_DPI = 120  # resolution of the page images the report page shows
CONTEXT_CHARS = 280  # characters shown either side of a quote in a text file
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

VERDICTS = {"dat": "Đạt", "khong_dat": "Không đạt"}
SEVERITIES = (("error", "Lỗi"), ("warning", "Cảnh báo"), ("info", "Thông tin"))
# What the header says of a scan's number or date OCR doubted or could not read (as ``extractor.facts.SAID``)
DOUBTS_VI: dict[str, str] = {str(k): v for k, v in extractor.FACT_DOUBTS_SAID.items()}
STATES = {
    "queued": "Đang chờ",
    "running": "Đang kiểm tra",
    "done": "Đã kiểm tra",
    "unreadable": "Không đọc được",
    "failed": "Lỗi khi kiểm tra",
    "refused": "Bị từ chối",
}
KINDS = {
    "cong_van": "Công văn",
    "bao_cao": "Báo cáo",
    "thong_bao": "Thông báo",
    "ke_hoach": "Kế hoạch",
    "quyet_dinh": "Quyết định",
    "to_trinh": "Tờ trình",
    "phu_luc": "Phụ lục",
    "other": "Khác",
}
SOURCES = {
    "text": "trong văn bản",
    "caption": "từ chú thích phụ lục",
    "signature_stamp": "từ dấu chữ ký số",
    "signing_time": "từ thời điểm ký số",
}


# --- formatting ------------------------------------------------------------------------------------------------


def vn_number(value: Any, digits: int = 2) -> str:
    """99.25 -> "99,25" (Vietnamese decimal comma, thousands with a dot); None -> "—"."""
    if value is None or value == "":
        return "—"
    number = float(value)
    if not math.isfinite(number):
        return "—"
    text = f"{number:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def vn_signed(value: Any) -> str:
    if value is None:
        return "—"
    return ("+" if float(value) > 0 else "") + vn_number(value)


VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")  # no daylight saving


def vn_date(value: Any) -> str:
    """A date "2026-06-12" -> "12/06/2026"; a date and time keeps its time, in Vietnam's time (a naive one is
    a stored UTC time)."""
    if not value:
        return "—"
    if isinstance(value, str) and len(value) > 10:
        with contextlib.suppress(ValueError):
            value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        value = aware.astimezone(VIETNAM).replace(tzinfo=None)
    text = str(value)
    day = text[:10]
    if len(day) == 10 and day[4] == "-" and day[7] == "-":
        out = f"{day[8:10]}/{day[5:7]}/{day[0:4]}"
        if len(text) > 10 and text[10] in "T ":
            out += " " + text[11:16]
        return out
    return text


def vi_part(message: str | None) -> str:
    """The Vietnamese half of a stored "vi / en" reason."""
    return (message or "").partition(" / ")[0]


templates.env.filters.update(number=vn_number, signed=vn_signed, vdate=vn_date, vi=vi_part)
templates.env.globals.update(
    VERDICTS=VERDICTS,
    STATES=STATES,
    KINDS=KINDS,
    SOURCES=SOURCES,
    SEVERITIES=SEVERITIES,
    version=extractor.__version__,
)


# --- sessions and pages -------------------------------------------------------------------------------------------


def factory_of(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.factory
    return factory


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A rendered page with the headers every page has (CSP, no caching of private data)."""
    opened = web_session.current(request)
    values = {"request": request, "csrf": opened.csrf if opened else "", **context}
    response = templates.TemplateResponse(request, name, values, status_code=status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    return response


class SignIn(Exception):
    """Raised by a page that needs a signed-in user: answered by a redirect to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def who(request: Request) -> Principal:
    principal = session_principal(request)
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignIn(target)
    request.state.principal = principal  # named in the request's log line
    return principal


def _db_id(value: int) -> bool:
    """An id the database can hold (a positive 64-bit integer); any other names nothing."""
    return 1 <= value < 2**63


def safe_next(value: str | None) -> str:
    """A local address to go to after signing in (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or len(value) > 500:
        return "/"
    return value


def not_found_page(request: Request, principal: Principal | None, what: str) -> HTMLResponse:
    return page(request, "loi.html", {"me": principal, "title": "Không tìm thấy", "message": what}, status=404)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def _failed(request: Request) -> None:
    limit: web_session.RateLimit = request.app.state.web_login_limit
    limit.hit(client_address(request))


def _limited(request: Request) -> HTMLResponse | None:
    """The 429 page when the client's failed sign-ins used up this minute, else None."""
    limit: web_session.RateLimit = request.app.state.web_login_limit
    if not limit.over(client_address(request)):
        return None
    response = page(
        request,
        "loi.html",
        {
            "me": None,
            "title": "Quá nhiều lần đăng nhập",
            "message": "Bạn đã thử đăng nhập quá nhiều lần trong một phút. Hãy đợi một lát rồi thử lại.",
        },
        status=429,
    )
    response.headers["Retry-After"] = str(limit.retry_after())
    return response


def _sign_in_form(request: Request, error: str | None, next_url: str, status: int = 200) -> HTMLResponse:
    value = web_session.login_csrf_value(request)
    context = {"me": None, "error": error, "next": next_url, "login_csrf": value}
    response = page(request, "dang_nhap.html", context, status=status)
    web_session.set_login_csrf(request, response, value)
    return response


def _opened(request: Request, secret: str, target: str) -> Response | None:
    """Sign in with ``secret``: a redirect to ``target`` carrying the new session, or None for a bad token."""
    with factory_of(request)() as session:
        principal = authenticate(session, secret.strip()) if 0 < len(secret.strip()) <= 200 else None
    if principal is None:
        return None
    response = RedirectResponse(target, status_code=303)
    web_session.start(request, response, principal.token_id)
    return response


@router.get("/dang-nhap")
def sign_in_page(request: Request, next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    if session_principal(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _sign_in_form(request, None, safe_next(next))


@router.post("/dang-nhap")
def sign_in(
    request: Request,
    token: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    limited = _limited(request)
    if limited is not None:
        return limited
    target = safe_next(next)
    if not web_session.login_csrf_ok(request, csrf):
        _failed(request)
        return _sign_in_form(request, "Biểu mẫu đã hết hạn, hãy nhập lại mã truy cập.", target, status=403)
    opened = _opened(request, token, target)
    if opened is None:
        _failed(request)
        return _sign_in_form(request, "Mã truy cập không đúng hoặc đã bị thu hồi.", target, status=401)
    return opened


@router.post("/dang-xuat")
def sign_out(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    opened = web_session.current(request)
    if opened is not None and not web_session.csrf_ok(opened, csrf):
        return page(
            request,
            "loi.html",
            {"me": None, "title": "Yêu cầu không hợp lệ", "message": "Biểu mẫu đã hết hạn; hãy tải lại trang."},
            status=403,
        )
    response = RedirectResponse("/dang-nhap", status_code=303)
    web_session.end(request, response)
    return response


@router.get("/")
def home(request: Request, token: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    if token is not None:
        limited = _limited(request)
        if limited is not None:
            return limited
        opened = _opened(request, token, "/")
        if opened is None:
            return _sign_in_form(request, "Mã truy cập trong địa chỉ không đúng hoặc đã bị thu hồi.", "/", status=401)
        return opened
    me = who(request)
    with factory_of(request)() as session:
        rows = session.scalars(
            select(Batch).where(visible_batches(me)).order_by(Batch.created_at.desc(), Batch.id).limit(200)
        ).all()
        batches = batch_progress(session, list(rows))
    return page(request, "trang_chu.html", {"me": me, "batches": batches})


@router.get("/tai-len")
def upload_page(request: Request) -> Response:
    me = who(request)
    rubrics = [{"id": r.id, "name": r.name} for r in extractor.list_rubrics()]
    return page(request, "tai_len.html", {"me": me, "rubrics": rubrics})


def batch_progress(session: Session, batches: list[Batch]) -> list[dict[str, Any]]:
    """The API's progress counts of each batch (``GET /api/batches/{id}``), from the state columns alone."""
    ids = [b.id for b in batches]
    counts: dict[str, dict[str, int]] = {i: dict.fromkeys(ITEM_STATES, 0) for i in ids}
    found = session.execute(
        select(BatchItem.batch_id, Report.state, Report.status)
        .outerjoin(Report, Report.id == BatchItem.report_id)
        .where(BatchItem.batch_id.in_(ids))
    ).all()
    for batch_id, state, status in found:
        key = "refused" if state is None else "unreadable" if state == "done" and status == "unreadable" else state
        counts[batch_id][key] += 1
    return [
        {
            "id": b.id,
            "name": b.name,
            "commune": b.commune,
            "created_at": b.created_at,
            "total": sum(counts[b.id].values()),
            **counts[b.id],
            "finished": counts[b.id]["queued"] + counts[b.id]["running"] == 0,
        }
        for b in batches
    ]


# --- the batch dashboard ----------------------------------------------------------------------------------------


def dashboard_rows(session: Session, batch_id: str) -> list[dict[str, Any]]:
    """One row per file of the batch, from the report columns (never the stored JSON) and its findings."""
    card = Report.report_json["scorecard"]
    triples = session.execute(
        select(BatchItem, Report, card["estimated"].as_boolean(), card["claimed_verdict"].as_string())
        .outerjoin(Report, Report.id == BatchItem.report_id)
        .options(defer(Report.report_json))
        .where(BatchItem.batch_id == batch_id)
        .order_by(BatchItem.id)
    ).all()
    pairs = [(item, report) for item, report, _, _ in triples]
    estimated = {r.id: bool(e) for _, r, e, _ in triples if r is not None}
    claimed_verdicts = {r.id: v for _, r, _, v in triples if r is not None}
    report_ids = {r.id for _, r in pairs if r is not None}
    findings = session.execute(
        select(FindingRow.id, FindingRow.report_id, FindingRow.code, FindingRow.message).where(
            FindingRow.report_id.in_(report_ids)
        )
    ).all()
    latest = latest_reviews(session, [f.id for f in findings])
    codes: dict[int, set[str]] = defaultdict(set)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    unreadable: dict[int, str] = {}
    for fid, rid, code, message in findings:
        codes[rid].add(code)
        counts[rid][0] += 1
        counts[rid][1] += fid in latest
        if code == "UNREADABLE":
            unreadable[rid] = message
    rows: list[dict[str, Any]] = []
    for item, report in pairs:
        state = "refused" if report is None else report.state
        if report is not None and report.state == "done" and report.status == "unreadable":
            state = "unreadable"
        claimed = points(report.claimed_total) if report else None
        recomputed = points(report.recomputed_total) if report else None
        verdict = report.verdict if report else None
        estimate = None
        if report is not None and estimated.get(report.id):  # an estimate is never a recomputed total
            estimate, recomputed, verdict = recomputed, None, claimed_verdicts.get(report.id)
        delta = None
        if claimed is not None and recomputed is not None:
            delta = float(Decimal(str(recomputed)) - Decimal(str(claimed)))
        total, reviewed = counts[report.id] if report else (0, 0)
        rows.append(
            {
                "item": item.id,
                "filename": item.filename,
                "report_id": report.id if report else None,
                "state": state,
                "status": report.status if report else None,
                "commune": report.commune if report else None,
                "period": report.period if report else None,
                "claimed": claimed,
                "recomputed": recomputed,
                "estimated": estimate,
                "delta": delta,
                "verdict": verdict,
                "errors": report.errors if report else 0,
                "warnings": report.warnings if report else 0,
                "findings": total,
                "reviewed": reviewed,
                "codes": sorted(codes[report.id]) if report else [],
                "problem": vi_part(item.error) if report is None else unreadable.get(report.id) or report.error,
            }
        )
    return rows


def batch_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "files": len(rows),
        "pass": sum(r["verdict"] == "dat" for r in rows),
        "fail": sum(r["verdict"] == "khong_dat" for r in rows),
        "with_errors": sum(r["errors"] > 0 for r in rows),
        "unreadable": sum(r["state"] in ("unreadable", "refused", "failed") for r in rows),
        "pending": sum(r["state"] in ("queued", "running") for r in rows),
    }


def chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Claimed vs recomputed per commune (the mean over its reports with a scorecard), laid out for an SVG."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["claimed"] is not None or row["recomputed"] is not None:
            groups[row["commune"] or "(không rõ xã)"].append(row)
    bars: list[dict[str, Any]] = []
    for commune in sorted(groups, key=fold):
        members = groups[commune]
        claimed = [r["claimed"] for r in members if r["claimed"] is not None]
        recomputed = [r["recomputed"] for r in members if r["recomputed"] is not None]
        bars.append(
            {
                "commune": commune,
                "reports": len(members),
                "claimed": sum(claimed) / len(claimed) if claimed else None,
                "recomputed": sum(recomputed) / len(recomputed) if recomputed else None,
            }
        )
    top = max([float(b[k]) for b in bars for k in ("claimed", "recomputed") if b[k] is not None] or [100.0])
    scale = 100.0 if top <= 100.0 else float(math.ceil(top / 10.0) * 10)
    label_w, bar_w, row_h = 210, 860, 34
    for i, bar in enumerate(bars):
        bar["y"] = 28 + i * row_h
        for key in ("claimed", "recomputed"):
            value = bar[key]
            bar[key + "_w"] = 0.0 if value is None else round(max(0.0, value) / scale * bar_w, 1)
    ticks = [{"x": label_w + round(bar_w * t / 4, 1), "value": scale * t / 4} for t in range(5)]
    return {
        "bars": bars,
        "scale": scale,
        "label_w": label_w,
        "bar_w": bar_w,
        "row_h": row_h,
        "width": label_w + bar_w + 70,
        "height": 28 + len(bars) * row_h + 24,
        "ticks": ticks,
    }


def _matches(row: dict[str, Any], verdict: str, errors: str, code: str, commune: str) -> bool:
    if verdict and (row["verdict"] or "") != verdict:
        return False
    if errors == "co" and row["errors"] <= 0:
        return False
    if errors == "khong" and row["errors"] > 0:
        return False
    if code and code not in row["codes"]:
        return False
    want = fold(commune).strip()
    return not want or want in fold(row["commune"]) or want in fold(row["filename"])


@router.get("/lo/{batch_id}")
def batch_page(
    request: Request,
    batch_id: str,
    ket_luan: Annotated[str, Query(max_length=20)] = "",
    loi: Annotated[str, Query(max_length=10)] = "",
    ma: Annotated[str, Query(max_length=60)] = "",
    xa: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    me = who(request)
    with factory_of(request)() as session:
        batch = session.scalars(select(Batch).where(Batch.id == batch_id[:36], visible_batches(me))).first()
        if batch is None:
            return not_found_page(request, me, "Không có lô này, hoặc bạn không được xem lô này.")
        info = batch_progress(session, [batch])[0]
        rows = dashboard_rows(session, batch.id)
    shown = [r for r in rows if _matches(r, ket_luan, loi, ma, xa)]
    codes = sorted({c for r in rows for c in r["codes"]})
    return page(
        request,
        "lo.html",
        {
            "me": me,
            "batch": info,
            "rows": shown,
            "all_rows": len(rows),
            "totals": batch_totals(rows),
            "chart": chart(rows),
            "codes": codes,
            "filters": {"ket_luan": ket_luan, "loi": loi, "ma": ma, "xa": xa},
        },
    )


# --- the report page ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _document_text(path: str, sha256: str) -> str:
    """The document text the offsets of a non-PDF report's locations point into (cached per file)."""
    return extractor.parse(Path(path)).text


def _context(text: str, start: int, end: int) -> dict[str, str] | None:
    if not (0 <= start <= end <= len(text)):
        return None
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space >= 0 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space >= 0 else hi
    return {
        "before": ("… " if lo > 0 else "") + text[lo:start],
        "quote": text[start:end],
        "after": text[end:hi] + (" …" if hi < len(text) else ""),
    }


def _source(report_id: int, location: dict[str, Any] | None, text: str | None) -> dict[str, Any]:
    """How to show where a finding is: the page image with boxes, the quote in its text, or nothing."""
    if not location:
        return {"mode": "none"}
    boxes = location.get("boxes") or []
    width, height, number = location.get("page_width"), location.get("page_height"), location.get("page")
    if boxes and width and height and number:
        return {
            "mode": "page",
            "page": number,
            "src": f"/api/reports/{report_id}/pages/{number}.png?dpi={PAGE_DPI}",
            "width": width,
            "height": height,
            "pixel_width": round(width * PAGE_DPI / 72),
            "pixel_height": round(height * PAGE_DPI / 72),
            "boxes": [
                {
                    "pct_left": round(100 * b["x0"] / width, 4),
                    "pct_top": round(100 * b["top"] / height, 4),
                    "pct_width": round(100 * (b["x1"] - b["x0"]) / width, 4),
                    "pct_height": round(100 * (b["bottom"] - b["top"]) / height, 4),
                    **b,
                }
                for b in boxes
            ],
        }
    start, end = location.get("start"), location.get("end")
    if text is not None and isinstance(start, int) and isinstance(end, int):
        context = _context(text, start, end)
        if context is not None:
            return {"mode": "text", "page": number, **context}
    if location.get("quote"):
        return {"mode": "quote", "page": number, "quote": location["quote"]}
    return {"mode": "none"}


def _page_size(data: Any, page: int) -> tuple[float, float] | None:
    """The size in PDF points of page ``page`` as some location of the stored report gives it."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("page") == page and node.get("page_width") and node.get("page_height"):
                return float(node["page_width"]), float(node["page_height"])
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, dict | list))
    return None


def fact_doubts_view(report_id: int, model: Any, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The header's number and date OCR doubted or could not read (``extractor.fact_doubts``): what to say,
    and for an uncertain one read on a page, where it is on the page image (shown like a finding's source)."""
    doubts = extractor.fact_doubts(model)
    read: dict[str, dict[str, Any]] = {}
    for f in data.get("findings") or []:
        if isinstance(f, dict) and f.get("code") == "OCR_USED" and isinstance(f.get("found"), dict):
            for item in f["found"].get("uncertain") or []:
                if isinstance(item, dict) and isinstance(item.get("fact"), str):
                    read.setdefault(item["fact"], item)
    out: dict[str, dict[str, Any]] = {}
    values = {"number": model.document.number, "date": model.document.date}
    for fact in doubts:
        item = read.get(fact) or {}
        doubt = "uncertain" if values.get(fact) is not None else "unread"  # a value found is never "not read"
        view: dict[str, Any] = {"doubt": doubt, "said": DOUBTS_VI[doubt], "source": {"mode": "none"}}
        if isinstance(item.get("confidence"), int | float):
            view["confidence"] = item["confidence"]
        page, boxes = item.get("page"), item.get("boxes") or []
        size = _page_size(data, page) if doubt == "uncertain" and isinstance(page, int) and boxes else None
        if size is not None:
            corners = [
                dict(zip(("x0", "top", "x1", "bottom"), map(float, b), strict=True))
                for b in boxes
                if isinstance(b, list | tuple) and len(b) == 4 and all(isinstance(v, int | float) for v in b)
            ]
            location = {"page": page, "page_width": size[0], "page_height": size[1], "boxes": corners}
            view["source"] = _source(report_id, location, None)
        out[fact] = view
    return out


def _units(rubric_id: str | None) -> dict[str, str]:
    if not rubric_id:
        return {}
    try:
        rubric = extractor.load_rubric(rubric_id)
    except Exception:  # an audit made with a rubric that no longer exists: no units to show
        return {}
    return {c.id: name for c in rubric.criteria if (name := rubric.unit_name(c))}


def report_context(session: Session, request: Request, me: Principal, row: Report) -> dict[str, Any]:
    data: dict[str, Any] = row.report_json or {}
    settings = request.app.state.settings
    stored = session.get(StoredFile, row.sha256)
    filename = stored.first_name if stored is not None else row.sha256
    scorecard = data.get("scorecard") or None
    units = _units((scorecard or {}).get("rubric") or row.rubric or None)
    rows_db = session.scalars(select(FindingRow).where(FindingRow.report_id == row.id).order_by(FindingRow.idx)).all()
    latest = latest_reviews(session, [f.id for f in rows_db])
    fmt = str((data.get("source") or {}).get("format") or "").lower()
    text: str | None = None
    findings_json = data.get("findings") or []
    wants_text = any(
        (f.get("location") or {}).get("start") is not None and not (f.get("location") or {}).get("boxes")
        for f in findings_json
    )
    if wants_text and fmt not in ("pdf",):
        path = original_path(settings, row.sha256)
        if path.is_file():
            try:
                text = _document_text(str(path), row.sha256)
            except Exception:  # the audit read it; if the file cannot be read again, quotes are shown alone
                text = None
    findings: list[dict[str, Any]] = []
    for f in rows_db:
        body = findings_json[f.idx] if 0 <= f.idx < len(findings_json) else {}
        review = latest.get(f.id)
        findings.append(
            {
                "id": f.id,
                "idx": f.idx,
                "code": f.code,
                "severity": f.severity,
                "message": f.message,
                "criterion_id": f.criterion_id,
                "unit": units.get(f.criterion_id or ""),
                "expected": body.get("expected"),
                "found": body.get("found"),
                "quote": f.quote,
                "page": f.page,
                "decision": review.decision if review is not None else None,
                "note": review.note if review is not None else None,
                "source": _source(row.id, body.get("location"), text),
            }
        )
    dismissed = sorted(f["idx"] for f in findings if f["decision"] == "dismiss")
    totals = None
    doubts: dict[str, dict[str, Any]] = {}
    if row.report_json is not None:
        model = extractor.Report.model_validate(row.report_json)
        doubts = fact_doubts_view(row.id, model, data)
        totals = {
            "before": extractor.reviewed_totals(model, []).model_dump(mode="json"),
            "after": extractor.reviewed_totals(model, dismissed).model_dump(mode="json"),
        }
    batch = session.scalars(
        select(BatchItem.batch_id)
        .join(Batch, Batch.id == BatchItem.batch_id)
        .where(BatchItem.report_id == row.id, visible_batches(me))
        .order_by(BatchItem.id.desc())
    ).first()
    grouped = [(sev, label, [f for f in findings if f["severity"] == sev]) for sev, label in SEVERITIES]
    return {
        "me": me,
        "row": row,
        "report": data,
        "filename": filename,
        "scorecard": scorecard,
        "units": units,
        "grouped": grouped,
        "findings": findings,
        "totals": totals,
        "doubts": doubts,
        "batch_id": batch,
        "file_url": f"/api/reports/{row.id}/file",
    }


@router.get("/bao-cao/{report_id}")
def report_page(request: Request, report_id: int) -> Response:
    me = who(request)
    with factory_of(request)() as session:
        row = (
            session.scalars(select(Report).where(Report.id == report_id, visible_reports(me))).first()
            if _db_id(report_id)
            else None
        )
        if row is None:
            return not_found_page(request, me, "Không có báo cáo này, hoặc bạn không được xem báo cáo này.")
        if row.state != "done" or row.report_json is None:
            return page(
                request,
                "loi.html",
                {
                    "me": me,
                    "title": "Báo cáo chưa kiểm tra xong",
                    "message": f"Trạng thái: {STATES.get(row.state, row.state)}. Hãy tải lại trang sau ít phút.",
                },
                status=409,
            )
        context = report_context(session, request, me, row)
    return page(request, "bao_cao.html", context)


@router.post("/bao-cao/{report_id}/ra-soat")
def review(
    request: Request,
    report_id: int,
    finding_id: Annotated[int, Form()],
    decision: Annotated[str, Form(max_length=10)],
    csrf: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    me = who(request)
    opened = web_session.current(request)
    if opened is None or not web_session.csrf_ok(opened, csrf):
        return page(
            request,
            "loi.html",
            {"me": me, "title": "Yêu cầu không hợp lệ", "message": "Biểu mẫu đã hết hạn; hãy tải lại trang."},
            status=403,
        )
    if not me.can_audit:
        return page(
            request,
            "loi.html",
            {"me": me, "title": "Không được phép", "message": "Chỉ cán bộ kiểm tra mới rà soát phát hiện."},
            status=403,
        )
    if not (_db_id(report_id) and _db_id(finding_id)):
        return not_found_page(request, me, "Không có báo cáo hoặc phát hiện này.")
    if decision not in ("accept", "dismiss"):
        return page(
            request, "loi.html", {"me": me, "title": "Yêu cầu không hợp lệ", "message": "Quyết định không rõ."}, 400
        )
    with factory_of(request).begin() as session:
        finding = session.get(FindingRow, finding_id)
        if finding is None or finding.report_id != report_id or not can_see_report(session, me, report_id):
            return not_found_page(request, me, "Không có phát hiện này.")
        idx = finding.idx
        session.add(Review(finding_id=finding.id, decision=decision, note=note.strip() or None, user_id=me.user_id))
    return RedirectResponse(f"/bao-cao/{report_id}#phat-hien-{idx}", status_code=303)


def install(app: FastAPI) -> None:
    """Add the pages, the static files and the sign-in redirect to ``app``."""
    app.state.web_login_limit = web_session.RateLimit(LOGIN_LIMIT, 60.0)
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(SignIn)
    async def _to_sign_in(request: Request, exc: SignIn) -> Response:
        return RedirectResponse(f"/dang-nhap?next={quote(exc.next_url, safe='/')}", status_code=303)
