"""The web app through the ASGI app (no browser): sign-in and sign-out, the session cookie's flags and
signature, CSRF on forms and on the browser's API requests, the sign-in rate limit, the pages in Vietnamese
with no inline script, and the commune scope on pages."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.db import Report
from api.web import session as web_session
from api.web.routes import DOUBTS_VI, LOGIN_LIMIT, vn_date, vn_number
from extractor.facts import SAID
from tests.api_fixtures import BACKENDS, Service, database_for, pg_admin_url, start_service
from tests.test_export_doubts import NUMBER_DOUBT

__all__ = ["pg_admin_url"]  # the PostgreSQL server fixture, used through database_for

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TEXT_REPORT = "000_86fb9651f283ba60.txt"


def sample(name: str) -> bytes:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"{path} is absent (regenerate samples/ with ./dev samples)")
    return path.read_bytes()


@pytest.fixture(scope="module", params=BACKENDS)
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The app on SQLite and on PostgreSQL (the dashboard reads the stored JSON with each one's operators)."""
    yield from start_service(tmp_path_factory.mktemp(f"web-{request.param}"), database_for(request.param, request))


@pytest.fixture(scope="module")
def world(service: Service) -> dict[str, Any]:
    """Commune A's batch with one text report, audited; its report and a finding."""
    body = service.upload("commune", [(TEXT_REPORT, sample(TEXT_REPORT))])
    service.wait(body["id"], "commune")
    report = body["items"][0]["report_id"]
    findings = service.client.get(f"/api/reports/{report}/findings", headers=service.headers("auditor")).json()
    return {"batch": body["id"], "report": report, "findings": findings["findings"]}


def browser(service: Service, base_url: str = "http://testserver") -> TestClient:
    """A fresh client (own cookies) on the same app."""
    return TestClient(service.client.app, base_url=base_url, follow_redirects=False)


def login_form(client: TestClient) -> str:
    page = client.get("/dang-nhap")
    assert page.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def sign_in(service: Service, role: str, base_url: str = "http://testserver") -> TestClient:
    client = browser(service, base_url)
    csrf = login_form(client)
    response = client.post("/dang-nhap", data={"token": service.tokens[role], "csrf": csrf, "next": "/"})
    assert response.status_code == 303 and response.headers["location"] == "/", response.text
    return client


def page_csrf(client: TestClient, path: str = "/") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'data-csrf="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def set_cookies(response: Any) -> dict[str, str]:
    return {c.split("=", 1)[0]: c for c in response.headers.get_list("set-cookie")}


# --- signing in and out ---------------------------------------------------------------------------------------


def test_pages_need_a_session_and_send_to_the_sign_in_page(service: Service) -> None:
    client = browser(service)
    for path in ("/", "/tai-len", "/lo/abc", "/bao-cao/1"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/dang-nhap?next=" + path.split("?")[0]), response.headers
    page = client.get("/dang-nhap")
    assert 'lang="vi"' in page.text and "Mã truy cập" in page.text and "Đăng nhập" in page.text


def test_sign_in_sets_an_httponly_samesite_cookie_and_sign_out_clears_it(service: Service) -> None:
    client = browser(service)
    csrf = login_form(client)
    response = client.post("/dang-nhap", data={"token": service.tokens["auditor"], "csrf": csrf, "next": "/tai-len"})
    assert response.status_code == 303 and response.headers["location"] == "/tai-len"
    cookie = set_cookies(response)[web_session.COOKIE].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie and "secure" not in cookie
    assert client.get("/tai-len").status_code == 200
    token = page_csrf(client)
    refused = client.post("/dang-xuat", data={"csrf": "sai"})
    assert refused.status_code == 403 and client.get("/").status_code == 200
    out = client.post("/dang-xuat", data={"csrf": token})
    assert out.status_code == 303 and out.headers["location"] == "/dang-nhap"
    assert "max-age=0" in set_cookies(out)[web_session.COOKIE].lower()
    assert client.get("/").status_code == 303


def test_the_cookie_is_secure_over_https(service: Service) -> None:
    client = browser(service, "https://testserver")
    csrf = login_form(client)
    response = client.post("/dang-nhap", data={"token": service.tokens["auditor"], "csrf": csrf})
    assert response.status_code == 303
    assert "secure" in set_cookies(response)[web_session.COOKIE].lower()


def test_a_wrong_token_or_a_missing_form_token_is_refused_in_vietnamese(service: Service) -> None:
    client = browser(service)
    csrf = login_form(client)
    wrong = client.post("/dang-nhap", data={"token": "khong-dung", "csrf": csrf})
    assert wrong.status_code == 401 and "Mã truy cập không đúng" in wrong.text
    assert web_session.COOKIE not in set_cookies(wrong)
    forged = browser(service).post("/dang-nhap", data={"token": service.tokens["auditor"], "csrf": csrf})
    assert forged.status_code == 403 and web_session.COOKIE not in set_cookies(forged)


def test_the_first_run_address_signs_in_and_leaves_a_clean_address(service: Service) -> None:
    client = browser(service)
    response = client.get("/", params={"token": service.tokens["admin"]})
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert web_session.COOKIE in set_cookies(response)
    home = client.get("/")
    assert home.status_code == 200 and "Các lô báo cáo" in home.text
    bad = browser(service).get("/", params={"token": "khong-dung"})
    assert bad.status_code == 401 and "không đúng" in bad.text


def test_next_never_leaves_the_site(service: Service) -> None:
    for target in ("https://example.org/", "//example.org/", "/\\example.org"):
        client = browser(service)
        csrf = login_form(client)
        response = client.post("/dang-nhap", data={"token": service.tokens["auditor"], "csrf": csrf, "next": target})
        assert response.status_code == 303 and response.headers["location"] == "/", target
        assert browser(service).get("/dang-nhap", params={"next": target}).status_code == 200


def test_a_forged_or_expired_cookie_is_no_session(service: Service, tmp_path: Path) -> None:
    key = b"k" * 64
    opened = web_session.WebSession(7, "csrf-token", time.time())
    value = web_session.encode(key, opened)
    assert web_session.decode(key, value) == web_session.WebSession(7, "csrf-token", float(int(opened.issued)))
    payload, _, signature = value.rpartition(".")
    assert web_session.decode(b"x" * 64, value) is None
    assert web_session.decode(key, payload + "." + "0" * len(signature)) is None
    assert web_session.decode(key, value, now=time.time() + web_session.SESSION_SECONDS + 5) is None
    client = browser(service)
    client.cookies.set(web_session.COOKIE, value)
    assert client.get("/").status_code == 303
    created = web_session.load_secret(tmp_path)
    assert len(created) >= 32 and web_session.load_secret(tmp_path) == created
    assert stat.S_IMODE(os.stat(tmp_path / web_session.SECRET_FILE).st_mode) == 0o600


def test_revoking_the_token_ends_the_session(service: Service) -> None:
    made = service.client.post("/api/tokens", headers=service.headers("admin"), json={"role": "auditor"})
    assert made.status_code == 201, made.text
    spare = made.json()
    client = browser(service)
    csrf = login_form(client)
    assert client.post("/dang-nhap", data={"token": spare["token"], "csrf": csrf}).status_code == 303
    assert client.get("/").status_code == 200 and client.get("/api/batches").status_code == 200
    revoked = service.client.delete(f"/api/tokens/{spare['id']}", headers=service.headers("admin"))
    assert revoked.status_code in (200, 204), revoked.text
    assert client.get("/").status_code == 303
    assert client.get("/api/batches").status_code == 401


def test_failed_sign_ins_are_limited_per_address(service: Service) -> None:
    app: Any = service.client.app
    saved = app.state.web_login_limit
    app.state.web_login_limit = web_session.RateLimit(LOGIN_LIMIT, 60.0)
    try:
        client = browser(service)
        csrf = login_form(client)
        for _ in range(3):  # successful sign-ins are not counted
            ok = client.post("/dang-nhap", data={"token": service.tokens["auditor"], "csrf": csrf})
            assert ok.status_code == 303
            client.cookies.clear()
            csrf = login_form(client)
        statuses = [client.post("/dang-nhap", data={"token": "sai", "csrf": csrf}).status_code for _ in range(12)]
        assert statuses == [401] * LOGIN_LIMIT + [429] * (12 - LOGIN_LIMIT)
        limited = client.post("/dang-nhap", data={"token": service.tokens["auditor"], "csrf": csrf})
        assert limited.status_code == 429 and "Quá nhiều lần đăng nhập" in limited.text
        assert int(limited.headers["retry-after"]) >= 1 and web_session.COOKIE not in set_cookies(limited)
        assert client.get("/", params={"token": service.tokens["auditor"]}).status_code == 429
    finally:
        app.state.web_login_limit = saved
    limit = web_session.RateLimit(2, 60.0)
    assert [limit.hit("a", 0.0), limit.hit("a", 1.0), limit.hit("a", 2.0), limit.hit("b", 2.0)] == [
        True,
        True,
        False,
        True,
    ]
    assert limit.hit("a", 61.0) and not limit.over("a", 61.0)


# --- the browser's API requests --------------------------------------------------------------------------------


def test_the_session_reads_the_api_and_its_posts_need_the_csrf_header(service: Service, world: dict[str, Any]) -> None:
    client = sign_in(service, "auditor")
    assert client.get(f"/api/reports/{world['report']}").status_code == 200
    finding = world["findings"][0]["id"]
    refused = client.post(f"/api/findings/{finding}/review", json={"decision": "accept"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf"
    wrong = client.post(f"/api/findings/{finding}/review", json={"decision": "accept"}, headers={"X-CSRF-Token": "sai"})
    assert wrong.status_code == 403
    token = page_csrf(client)
    accepted = client.post(
        f"/api/findings/{finding}/review", json={"decision": "accept"}, headers={"X-CSRF-Token": token}
    )
    assert accepted.status_code == 201, accepted.text
    upload = client.post(
        "/api/batches",
        files=[("files", (TEXT_REPORT, sample(TEXT_REPORT), "text/plain"))],
        headers={"X-CSRF-Token": token},
    )
    assert upload.status_code == 201, upload.text
    bearer = service.client.post(
        f"/api/findings/{finding}/review", json={"decision": "accept"}, headers=service.headers("auditor")
    )
    assert bearer.status_code == 201  # a bearer token needs no CSRF header


# --- pages -------------------------------------------------------------------------------------------------------


def assert_page(response: Any, *texts: str) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    text: str = response.text
    assert 'lang="vi"' in text and 'class="skip"' in text
    scripts = re.findall(r"<script[^>]*>", text)
    assert scripts and all('src="/static/' in s for s in scripts), scripts
    assert not re.search(r"\son[a-z]+=", text), "an inline event handler"
    assert " style=" not in text, "an inline style (the CSP allows none)"
    for wanted in texts:
        assert wanted in text, wanted
    return text


def test_the_pages_render_in_vietnamese(service: Service, world: dict[str, Any]) -> None:
    client = sign_in(service, "auditor")
    assert_page(client.get("/"), "Các lô báo cáo", f"/lo/{world['batch']}")
    assert_page(client.get("/tai-len"), "Kéo và thả", "Tải lên và kiểm tra", 'type="file"')
    dashboard = assert_page(
        client.get(f"/lo/{world['batch']}"), "Tự chấm", "Tính lại", "Chênh lệch", "Tải bảng tổng hợp (XLSX)", "<svg"
    )
    assert f'data-file="{TEXT_REPORT}"' in dashboard and 'data-value="99.25"' in dashboard
    assert 'data-value="99.27"' in dashboard and ">99,25<" in dashboard and ">+0,02<" in dashboard
    report = assert_page(client.get(f"/bao-cao/{world['report']}"), "Bảng điểm", "Phát hiện", "Nguyễn Lương Bằng")
    assert "Phòng Văn hóa - Xã hội" in report  # the criterion's responsible unit, from the rubric
    assert "<mark>" in report  # a text file's finding: its quote marked in its context
    assert report.count('class="review-form"') == len(world["findings"])
    assert client.get("/static/app.js").status_code == 200 and client.get("/static/app.css").status_code == 200
    missing = client.get("/bao-cao/999999")
    assert missing.status_code == 404 and "Không có báo cáo này" in missing.text


def test_dashboard_filters(service: Service, world: dict[str, Any]) -> None:
    client = sign_in(service, "auditor")
    base = f"/lo/{world['batch']}"

    def files(**params: str) -> list[str]:
        return re.findall(r'<tr data-file="([^"]+)"', client.get(base, params=params).text)

    assert files() == [TEXT_REPORT]
    assert files(ket_luan="dat") == [TEXT_REPORT] and files(ket_luan="khong_dat") == []
    assert files(loi="co") == [] and files(loi="khong") == [TEXT_REPORT]
    code = world["findings"][0]["code"]
    assert files(ma=code) == [TEXT_REPORT] and files(ma="KHONG_CO_MA") == []
    assert files(xa="nguyen luong") == [TEXT_REPORT] and files(xa="an lao") == []


def test_review_form_needs_its_csrf_token_and_an_auditor(service: Service, world: dict[str, Any]) -> None:
    finding = world["findings"][-1]
    client = sign_in(service, "auditor")
    path = f"/bao-cao/{world['report']}/ra-soat"
    form = {"finding_id": str(finding["id"]), "decision": "dismiss", "note": "báo nhầm"}
    assert client.post(path, data=form).status_code == 403
    token = page_csrf(client, f"/bao-cao/{world['report']}")
    done = client.post(path, data={**form, "csrf": token})
    assert done.status_code == 303 and done.headers["location"].endswith(f"#phat-hien-{finding['idx']}")
    review = service.client.get(f"/api/reports/{world['report']}/review", headers=service.headers("auditor")).json()
    assert finding["idx"] in review["after"]["dismissed"]
    commune = sign_in(service, "commune")
    page = commune.get(f"/bao-cao/{world['report']}")
    assert page.status_code == 200 and 'class="review-form"' not in page.text
    ctoken = page_csrf(commune, f"/bao-cao/{world['report']}")
    assert commune.post(path, data={**form, "csrf": ctoken}).status_code == 403


def test_a_commune_sees_only_its_own_batches_and_reports(service: Service, world: dict[str, Any]) -> None:
    own = sign_in(service, "commune")
    assert f"/lo/{world['batch']}" in own.get("/").text
    assert own.get(f"/lo/{world['batch']}").status_code == 200
    other = sign_in(service, "commune_b")
    home = other.get("/")
    assert home.status_code == 200 and f"/lo/{world['batch']}" not in home.text
    assert other.get(f"/lo/{world['batch']}").status_code == 404
    page = other.get(f"/bao-cao/{world['report']}")
    assert page.status_code == 404 and "Nguyễn Lương Bằng" not in page.text
    assert other.get(f"/api/batches/{world['batch']}/export.xlsx").status_code == 404


def test_an_unreadable_file_says_why_on_the_dashboard_and_its_page(service: Service) -> None:
    body = service.upload("auditor", [("hong.pdf", b"%PDF-1.7 this is not a PDF at all")])
    service.wait(body["id"])
    client = sign_in(service, "auditor")
    dashboard = assert_page(client.get(f"/lo/{body['id']}"), "hong.pdf", 'class="problem"')
    assert re.search(r'id="total-unreadable">1<', dashboard)
    report = assert_page(
        client.get(f"/bao-cao/{body['items'][0]['report_id']}"), "Không đọc được tệp này", "UNREADABLE"
    )
    assert "Bảng điểm" not in report


def test_an_estimate_is_never_shown_as_a_recomputed_total(service: Service) -> None:
    narrative = "002_15449ca40c703c40.txt"  # a narrative report: its scorecard is estimated
    body = service.upload("auditor", [(narrative, sample(narrative))])
    service.wait(body["id"])
    report = service.client.get(f"/api/reports/{body['items'][0]['report_id']}", headers=service.headers("auditor"))
    card = report.json()["scorecard"]
    assert card["estimated"] and card["recomputed_total"] is not None
    client = sign_in(service, "auditor")
    dashboard = client.get(f"/lo/{body['id']}").text
    row = dashboard[dashboard.index(f'<tr data-file="{narrative}"') :]
    row = row[: row.index("</tr>")]
    assert re.search(r'class="num recomputed" data-value=""', row)
    assert re.search(rf'class="num estimated muted" data-value="{card["recomputed_total"]}', row)
    page = client.get(f"/bao-cao/{body['items'][0]['report_id']}").text
    assert "Bảng điểm ước tính" in page and "(tính lại)" not in page


def test_numbers_and_times_are_written_the_vietnamese_way() -> None:
    assert vn_number(99.25) == "99,25" and vn_number(100.0) == "100" and vn_number(1234.5) == "1.234,5"
    assert vn_number(None) == "—" and vn_number(-0.37) == "-0,37"
    assert vn_date("2026-06-12") == "12/06/2026" and vn_date(None) == "—"
    assert vn_date("2026-06-12T20:30:00+00:00") == "13/06/2026 03:30"  # Vietnam's time
    assert vn_date(dt.datetime(2026, 6, 12, 1, 5)) == "12/06/2026 08:05"  # a stored (naive UTC) time


def _doubt_scan(service: Service, uncertain: dict[str, Any], unread: str, blank: str) -> int:
    """A PDF report, audited, whose stored report then says what OCR doubted (as a scan's OCR_USED does)."""
    body = service.upload("auditor", [("quet.pdf", sample("001_cong-van.pdf") + b"\n% doubts " + unread.encode())])
    service.wait(body["id"])
    report_id: int = body["items"][0]["report_id"]
    app: Any = service.client.app
    with app.state.factory.begin() as session:
        row = session.scalars(select(Report).where(Report.id == report_id)).one()
        data = dict(row.report_json or {})
        data["document"] = {**data["document"], blank: None, uncertain["fact"]: uncertain["read"]}
        found = {"pages": [1], "mean_confidence": 90.0, "uncertain": [uncertain], "unread": [unread]}
        ocr = {"code": "OCR_USED", "severity": "info", "message": "OCR …", "found": found}
        data["findings"] = [*data["findings"], ocr]
        row.report_json = data
    return report_id


def test_a_doubtful_number_is_marked_and_shows_its_place_and_an_unread_date_says_so(service: Service) -> None:
    assert DOUBTS_VI == SAID
    report_id = _doubt_scan(service, NUMBER_DOUBT, "date", "date")
    page = sign_in(service, "auditor").get(f"/bao-cao/{report_id}").text
    number = page[page.index("<dt>Số</dt>") : page.index("<dt>Xã</dt>")]
    assert re.search(
        r'197/TIr- <button type="button" class="show-source doubt link" data-idx="so-van-ban" '
        r'aria-controls="source-panel" title="Độ tin cậy OCR 52 %">\(chưa chắc chắn, xem bản quét\)</button>',
        number,
    ), number
    date = number[number.index("<dt>Ngày</dt>") :]
    assert "không đọc được trên bản quét" in date and "—" not in date
    source = page[page.index('id="source-so-van-ban"') :]
    source = source[: source.index("</aside>")]  # the facts' places follow the findings' in the panel
    assert f"/api/reports/{report_id}/pages/1.png" in source and 'data-points="96.48,91.8,178.92,106.56"' in source
    assert 'data-left="16.2' in source  # 96.48 of a 595-point page


def test_a_doubt_without_a_place_is_said_and_a_text_report_has_none(service: Service, world: dict[str, Any]) -> None:
    date = {"fact": "date", "read": "2026-06-30", "quote": "ngày 30 tháng 6", "confidence": 48}
    report_id = _doubt_scan(service, date, "number", "number")
    client = sign_in(service, "auditor")
    page = client.get(f"/bao-cao/{report_id}").text
    facts = page[page.index("<dt>Số</dt>") : page.index("<dt>Xã</dt>")]
    assert re.search(r"<dt>Số</dt><dd><span class=\"doubt unread\">không đọc được trên bản quét</span></dd>", facts)
    assert re.search(r'30/06/2026 <span class="doubt" title="Độ tin cậy OCR 48 %">\(chưa chắc chắn', facts), facts
    assert 'data-idx="ngay-van-ban"' not in page and 'id="source-ngay-van-ban"' not in page
    plain = client.get(f"/bao-cao/{world['report']}").text
    assert "doubt" not in plain and "bản quét" not in plain
