"""What a person sees when something goes wrong: files that cannot be opened, bad rubrics, library log
lines, bad command lines, unreadable reports and empty folders — always Vietnamese and English, never a
traceback, with the exit codes of spec/audit-contract.md §2."""

from __future__ import annotations

import errno
import inspect
import io
import json
import logging
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from extractor import cli, parse, reading
from extractor.audit import audit_file
from extractor.cli import build_parser, diff, main
from extractor.errors import CannotOpenError, RubricError
from extractor.render import render_report
from extractor.rules.rubric import DEFAULT_RUBRIC, load_rubric, parse_rubric, rubric_path

ROOT = Path(__file__).resolve().parent.parent
TRUNCATED_PDF = ROOT / "tests" / "data" / "bad" / "corrupt_file__pdf_truncated.pdf"
PLAIN_REPORT = (
    "ỦY BAN NHÂN DÂN XÃ AN LÃO\n\nBÁO CÁO\nKết quả công tác tháng 3 năm 2026\n\n"
    "Trong tháng, xã đã tổ chức họp giao ban và triển khai các nhiệm vụ thường xuyên.\n"
)
ENGLISH_STRERRORS = ("No such file", "Is a directory", "Permission denied", "Errno")
PDF_LOGGERS = ("pdfminer", "pdfplumber")


def _plain(folder: Path, name: str = "plain.txt") -> Path:
    path = folder / name
    path.write_text(PLAIN_REPORT, encoding="utf-8")
    return path


def _damaged_pdf(path: Path) -> Path:
    """A one-page PDF whose content stream has a broken Adler-32 checksum: pdfminer reads it with a warning."""
    content = zlib.compress(b"BT /F1 12 Tf 72 720 Td (Bao cao so 12/BC-UBND ngay 05/04/2026) Tj ET\n")
    content = content[:-4] + bytes(b ^ 0xFF for b in content[-4:])
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


# --- 1. a path that names no readable file ----------------------------------------------------------------


def _assert_vietnamese_only(err: CannotOpenError) -> None:
    assert not any(word in err.message_vi for word in ENGLISH_STRERRORS), err.message_vi


def test_parse_of_a_missing_file_is_cannot_open(tmp_path):
    with pytest.raises(CannotOpenError) as info:
        parse(tmp_path / "absent.pdf")
    err = info.value
    assert err.code == "cannot_open"
    assert "không tồn tại" in err.message_vi and "does not exist" in err.message_en
    _assert_vietnamese_only(err)


def test_parse_of_a_directory_is_cannot_open(tmp_path):
    with pytest.raises(CannotOpenError) as info:
        parse(tmp_path)
    assert "là thư mục" in info.value.message_vi and "directory" in info.value.message_en
    _assert_vietnamese_only(info.value)


def test_parse_of_a_file_without_read_permission_is_cannot_open(tmp_path, monkeypatch):
    path = _plain(tmp_path)

    def refuse(file: object, *args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied", str(file))

    monkeypatch.setattr(reading.os, "open", refuse)  # as root chmod cannot deny a read: refuse the open
    with pytest.raises(CannotOpenError) as info:
        parse(path)
    assert "không có quyền đọc" in info.value.message_vi and "permission" in info.value.message_en
    _assert_vietnamese_only(info.value)


@pytest.mark.parametrize("name", ["absent.docx", "folder"])
def test_audit_file_turns_an_unopenable_path_into_an_unreadable_report(tmp_path, name):
    path = tmp_path / name
    if name == "folder":
        path.mkdir()
    report = audit_file(path)
    [only] = report.findings
    assert only.code == "UNREADABLE" and only.found["code"] == "cannot_open"


def test_cli_parse_prints_every_file_and_exits_2_when_one_is_missing(tmp_path, capsys):
    first, missing, last = _plain(tmp_path, "a.txt"), tmp_path / "gone.pdf", _plain(tmp_path, "c.txt")
    assert main(["parse", str(first), str(missing), str(last)]) == 2
    out, err = capsys.readouterr()
    assert f"=== {first}" in out and f"=== {last}" in out
    assert "LỖI / ERROR [cannot_open]" in out and "không tồn tại" in out
    assert (out + err).count(str(missing)) == 1
    assert "Traceback" not in out + err


def test_cli_parse_json_lists_the_missing_file_with_its_error(tmp_path, capsys):
    good, missing = _plain(tmp_path), tmp_path / "gone.pdf"
    assert main(["parse", "--format", "json", str(good), str(missing)]) == 2
    documents = json.loads(capsys.readouterr().out)["documents"]
    assert len(documents) == 2
    assert documents[1] == {"path": str(missing), "error": documents[1]["error"]}
    assert documents[1]["error"]["code"] == "cannot_open"


# --- 2. a rubric file that cannot be read ---------------------------------------------------------------


def test_a_binary_rubric_file_is_a_rubric_error(tmp_path):
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\x00\xff\xfe\x80 not text")
    with pytest.raises(RubricError) as info:
        load_rubric(str(path))
    assert "UTF-8" in info.value.message_vi


def test_a_directory_named_like_a_rubric_is_a_rubric_error(tmp_path):
    folder = tmp_path / "scheme.toml"
    folder.mkdir()
    with pytest.raises(RubricError) as info:
        load_rubric(str(folder))
    assert "thư mục" in info.value.message_vi and "directory" in info.value.message_en


def test_a_missing_rubric_path_is_named_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert rubric_path("missing.toml") == Path("missing.toml")
    with pytest.raises(RubricError) as info:
        load_rubric("missing.toml")
    assert "missing.toml" in str(info.value) and ".toml.toml" not in str(info.value)


def test_a_shipped_rubric_can_be_named_with_its_extension(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_rubric(f"{DEFAULT_RUBRIC}.toml").id == load_rubric().id


@pytest.mark.parametrize("kind", ["binary", "directory"])
def test_cli_refuses_an_unreadable_rubric_without_a_traceback(tmp_path, capsys, kind):
    rubric = tmp_path / "bad.toml"
    if kind == "binary":
        rubric.write_bytes(b"\xff\xfe\x00\x01")
    else:
        rubric.mkdir()
    assert main(["audit", str(_plain(tmp_path)), "--rubric", str(rubric)]) == 2
    err = capsys.readouterr().err
    assert "LỖI / ERROR [rubric_invalid]" in err and "Traceback" not in err


def _rubric_data() -> dict:
    import tomllib

    return tomllib.loads(rubric_path(DEFAULT_RUBRIC).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.pop("name"), "name: thiếu khóa / missing key"),
        (
            lambda d: d["criteria"][2].__setitem__("colour", "red"),
            "criteria[2].colour: khóa không được phép / unknown key",
        ),
        (
            lambda d: d["criteria"][5].__setitem__("method", "guess"),
            "criteria[5].method: giá trị không hợp lệ, phải là 'rate', 'binary', 'count' hoặc 'manual'"
            " / invalid value, must be 'rate', 'binary', 'count' or 'manual'",
        ),
        (
            lambda d: d["criteria"][0].__setitem__("title", 7),
            "criteria[0].title: giá trị không hợp lệ, phải là chuỗi / invalid value, must be a string",
        ),
    ],
)
def test_pydantic_messages_are_said_in_vietnamese_and_english(mutate, expected):
    data = _rubric_data()
    mutate(data)
    with pytest.raises(RubricError) as info:
        parse_rubric(data, "test.toml")
    assert expected in info.value.problems
    for english in ("Field required", "Extra inputs", "Input should be"):
        assert english not in info.value.message_vi


# --- 3. library log lines -------------------------------------------------------------------------------


@pytest.fixture
def loggers_as_found():
    """The PDF libraries' loggers as a fresh process has them, restored afterwards."""
    saved = {name: logging.getLogger(name).level for name in PDF_LOGGERS}
    for name in saved:
        logging.getLogger(name).setLevel(logging.NOTSET)
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def test_cli_keeps_pdfminer_warnings_off_the_terminal(tmp_path, caplog, loggers_as_found):
    pdf = _damaged_pdf(tmp_path / "damaged.pdf")
    caplog.set_level(logging.WARNING)
    main(["parse", str(pdf)])
    assert [r.getMessage() for r in caplog.records if r.name.startswith(("pdfminer", "pdfplumber"))] == []


def test_a_damaged_pdf_prints_no_library_line_on_stderr(tmp_path):
    pdf = _damaged_pdf(tmp_path / "damaged.pdf")
    done = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "parse", str(pdf)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


# --- 4. the command line itself -------------------------------------------------------------------------


def _refused(argv: list[str], capsys, entry=main) -> str:
    with pytest.raises(SystemExit) as info:
        entry(argv)
    assert info.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("command", ["diff", "audit"])
def test_a_bad_worker_count_is_refused_in_both_languages(capsys, command):
    err = _refused([command, "inbox", "--workers", "abc"], capsys)
    assert "cần một số nguyên ≥ 1" in err and "must be an integer ≥ 1" in err
    assert "_positive_int" not in err and "invalid" not in err


def test_a_bad_timeout_is_refused_in_both_languages(capsys):
    err = _refused(["diff", "inbox", "--timeout", "soon"], capsys)
    assert "cần một số giây > 0" in err and "must be a number of seconds > 0" in err
    assert "_positive_seconds" not in err


def test_missing_arguments_are_told_in_both_languages(capsys):
    err = _refused(["diff"], capsys)
    assert "thiếu tham số bắt buộc: files" in err and "missing required arguments: files" in err
    assert "the following arguments are required" not in err


def test_the_diff_module_refuses_bad_arguments_the_same_way(capsys):
    err = _refused(["inbox", "--workers", "0"], capsys, entry=diff.main)
    assert "tham số --workers: cần một số nguyên ≥ 1" in err and "argument --workers: must be an integer ≥ 1" in err


@pytest.mark.parametrize(
    ("message", "vi", "en"),
    [
        ("unrecognized arguments: --bogus", "tham số không nhận ra: --bogus", "unrecognised arguments: --bogus"),
        (
            "argument --format: invalid choice: 'xml' (choose from 'json', 'text')",
            "tham số --format: lựa chọn 'xml' không hợp lệ (chọn một trong: 'json', 'text')",
            "argument --format: invalid choice 'xml' (choose from: 'json', 'text')",
        ),
        (
            "argument --workers: invalid _positive_int value: 'abc'",
            "tham số --workers: giá trị 'abc' không hợp lệ",
            "argument --workers: invalid value 'abc'",
        ),
        ("argument --timeout: expected one argument", "tham số --timeout: thiếu giá trị", None),
        ("something new", "tham số dòng lệnh không hợp lệ", "something new"),
    ],
)
def test_argparse_messages_are_translated(message, vi, en):
    got_vi, got_en = cli.argparse_message(message)
    assert got_vi == vi
    if en is not None:
        assert got_en == en


def _all_parsers(parser):
    yield parser
    for action in parser._actions:
        if isinstance(action.choices, dict):  # the subcommands
            for sub in action.choices.values():
                yield from _all_parsers(sub)


def test_every_help_text_is_bilingual():
    for parser in _all_parsers(build_parser()):
        assert "tùy chọn / options" in parser.format_help()
        for action in parser._actions:
            if action.help and action.help != "==SUPPRESS==":
                assert " / " in action.help, f"{parser.prog} {action.dest}: {action.help}"


# --- 5. unreadable reports and empty folders ------------------------------------------------------------


def test_an_unreadable_report_renders_short():
    text = render_report(audit_file(TRUNCATED_PDF))
    assert text.startswith(f"=== {TRUNCATED_PDF}\n")
    assert "KHÔNG ĐỌC ĐƯỢC / UNREADABLE [corrupt_file]" in text
    assert "Tệp PDF bị hỏng" in text and "The PDF file is corrupt" in text
    assert "Không đọc được tệp:" not in text  # the mark above says it once
    for noise in ("UNKNOWN", "Văn bản:", "chưa có số", "Không tìm thấy bảng chấm điểm"):
        assert noise not in text


def test_a_missing_file_renders_short_with_its_reason(tmp_path):
    text = render_report(audit_file(tmp_path / "gone.pdf"))
    assert "KHÔNG ĐỌC ĐƯỢC / UNREADABLE [cannot_open]" in text
    assert "không tồn tại" in text and "does not exist" in text


def test_a_readable_report_still_renders_in_full(tmp_path):
    text = render_report(audit_file(_plain(tmp_path)))
    assert "Văn bản:" in text and "UNREADABLE" not in text


@pytest.mark.parametrize("command", ["audit", "parse", "diff"])
def test_a_folder_without_reports_is_said_and_exits_2(tmp_path, capsys, command):
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    assert main([command, str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert "no report files found" in err and "Không có tệp báo cáo" in err


def test_run_diff_on_an_empty_folder_exits_2(tmp_path):
    err = io.StringIO()
    assert diff.run_diff([str(tmp_path)], "table", workers=1, out=io.StringIO(), err=err) == 2
    assert "no report files found" in err.getvalue()


# --- 6. one place for exit codes and error lines --------------------------------------------------------


def test_exit_codes_and_the_error_line_live_in_one_place():
    from extractor import exitcodes

    assert diff.exit_code is exitcodes.exit_code
    for module in (cli, diff):
        source = inspect.getsource(module)
        assert "EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE =" not in source
        assert "LỖI / ERROR [" not in source


def test_cli_and_diff_print_a_bad_rubric_alike(capsys, tmp_path):
    good = str(_plain(tmp_path))
    assert main(["diff", good, "--rubric", "no-such-rubric"]) == 2
    from_cli = capsys.readouterr().err
    assert diff.main([good, "--rubric", "no-such-rubric"]) == 2
    assert capsys.readouterr().err == from_cli
    assert from_cli.startswith("LỖI / ERROR [rubric_invalid]: ")


def test_parse_of_a_format_without_pages_shows_no_none(tmp_path, capsys):
    named_pdf = tmp_path / "text.pdf"  # a text file named .pdf: read as text, which has no pages
    named_pdf.write_text("ỦY BAN NHÂN DÂN XÃ AN LÃO\n\nBÁO CÁO\n", encoding="utf-8")
    assert main(["parse", str(named_pdf)]) == 0
    header = capsys.readouterr().out.splitlines()[1]
    assert "định dạng/format: txt  trang/pages: —  sha256:" in header and "None" not in header
