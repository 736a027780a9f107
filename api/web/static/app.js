/* The web app's JavaScript: sorting, upload with progress, live batch progress, finding sources.
   No inline scripts anywhere (the pages' Content-Security-Policy allows only this file). */
"use strict";

(function () {
  var csrf = document.body.getAttribute("data-csrf") || "";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* --- sortable tables: header buttons sort by the cells' data-value --- */
  function initSorting() {
    var tables = document.querySelectorAll("table.sortable");
    Array.prototype.forEach.call(tables, function (table) {
      var heads = table.querySelectorAll("thead th");
      Array.prototype.forEach.call(heads, function (th, column) {
        var button = th.querySelector("button");
        if (!button) return;
        button.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          Array.prototype.forEach.call(heads, function (other) { other.setAttribute("aria-sort", "none"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var numeric = button.getAttribute("data-key") === "num";
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return r.cells.length > column; });
          rows.sort(function (a, b) {
            var x = a.cells[column].getAttribute("data-value") || "";
            var y = b.cells[column].getAttribute("data-value") || "";
            var result;
            if (numeric) {
              if (x === "" && y === "") result = 0;
              else if (x === "") return 1; /* empty values last, whatever the direction */
              else if (y === "") return -1;
              else result = parseFloat(x) - parseFloat(y);
            } else {
              result = x.localeCompare(y, "vi", { sensitivity: "base", numeric: true });
            }
            return ascending ? result : -result;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  /* --- upload page --- */
  var STATE_LABELS = {
    uploading: "Đang tải lên", uploaded: "Đã tải lên, chờ kiểm tra", queued: "Đang chờ kiểm tra",
    running: "Đang kiểm tra", done: "Đã kiểm tra", unreadable: "Không đọc được tệp",
    failed: "Lỗi khi kiểm tra", refused: "Bị từ chối"
  };

  function formatSize(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1).replace(".", ",") + " MB";
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function viPart(message) {
    return (message || "").split(" / ")[0];
  }

  function initUpload() {
    var form = document.getElementById("upload-form");
    if (!form) return;
    var input = document.getElementById("files");
    var zone = document.getElementById("dropzone");
    var chosen = document.getElementById("chosen");
    var panel = document.getElementById("progress");
    var status = document.getElementById("progress-status");
    var tbody = document.querySelector("#progress-table tbody");
    var link = document.getElementById("dashboard-link");
    var button = document.getElementById("upload-button");
    var files = [];

    function showChosen() {
      if (!files.length) { chosen.textContent = "Chưa chọn tệp nào."; return; }
      var total = files.reduce(function (s, f) { return s + f.size; }, 0);
      chosen.textContent = "Đã chọn " + files.length + " tệp (" + formatSize(total) + "): " +
        files.map(function (f) { return f.name; }).join(", ");
    }
    input.addEventListener("change", function () { files = Array.prototype.slice.call(input.files); showChosen(); });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      if (!e.dataTransfer) return;
      files = files.concat(Array.prototype.slice.call(e.dataTransfer.files));
      showChosen();
    });

    var rows = [];
    function addRow(name) {
      var tr = el("tr");
      var nameCell = el("td", "file", name);
      var barCell = el("td");
      var bar = el("progress");
      bar.max = 100; bar.value = 0;
      bar.setAttribute("aria-label", "Tiến độ của " + name);
      barCell.appendChild(bar);
      var stateCell = el("td", "state", STATE_LABELS.uploading);
      tr.appendChild(nameCell); tr.appendChild(barCell); tr.appendChild(stateCell);
      tbody.appendChild(tr);
      return { tr: tr, bar: bar, state: stateCell, name: name };
    }
    function setState(row, state, problem, reportId) {
      row.tr.setAttribute("data-state", state);
      row.state.textContent = "";
      var label = STATE_LABELS[state] || state;
      if (reportId && (state === "done" || state === "unreadable")) {
        var a = el("a", null, label);
        a.href = "/bao-cao/" + reportId;
        row.state.appendChild(a);
      } else {
        row.state.textContent = label;
      }
      if (problem) row.state.appendChild(el("div", "problem", problem));
      if (state === "queued") row.bar.removeAttribute("value"); /* indeterminate while waiting */
      if (state === "running") row.bar.removeAttribute("value");
      if (["done", "unreadable", "failed", "refused"].indexOf(state) >= 0) row.bar.value = 100;
      row.tr.className = (state === "unreadable" || state === "failed" || state === "refused") ? "has-errors" : "";
    }

    function problemOf(item) {
      /* why a file was not audited, in Vietnamese: the reason the batch status gives (its report's) */
      return item.reason ? item.reason.message_vi : viPart(item.error);
    }

    function follow(batchId) {
      link.href = "/lo/" + batchId;
      function refresh(finished) {
        return fetch("/api/batches/" + batchId, { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (body) {
            if (!body.items) return;
            /* the server lists the files it received (a zip becomes its members) */
            if (body.items.length !== rows.length) {
              tbody.textContent = "";
              rows = body.items.map(function (item) { return addRow(item.filename); });
            }
            body.items.forEach(function (item, i) {
              setState(rows[i], item.state, problemOf(item), item.report_id);
            });
            var done = body.total - body.queued - body.running;
            status.textContent = finished || body.finished
              ? "Đã kiểm tra xong " + body.total + " tệp."
              : "Đang kiểm tra: " + done + "/" + body.total + " tệp xong.";
            if (finished || body.finished) { link.hidden = false; link.focus(); }
          });
      }
      if (!window.EventSource) { refresh(false); return; }
      var source = new EventSource("/api/batches/" + batchId + "/events");
      source.addEventListener("progress", function () { refresh(false); });
      source.addEventListener("done", function () { source.close(); refresh(true); });
      source.addEventListener("timeout", function () { source.close(); refresh(false); });
      source.onerror = function () { source.close(); refresh(false); };
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!files.length) { chosen.textContent = "Hãy chọn hoặc kéo thả ít nhất một tệp."; input.focus(); return; }
      var data = new FormData();
      files.forEach(function (f) { data.append("files", f, f.name); });
      var name = document.getElementById("name").value.trim();
      var rubric = document.getElementById("rubric").value;
      if (name) data.append("name", name);
      if (rubric) data.append("rubric", rubric);
      panel.hidden = false;
      tbody.textContent = "";
      link.hidden = true;
      rows = files.map(function (f) { return addRow(f.name); });
      var offsets = [], at = 0;
      files.forEach(function (f) { offsets.push(at); at += f.size; });
      button.disabled = true;
      status.textContent = "Đang tải lên " + files.length + " tệp…";
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/batches");
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.upload.addEventListener("progress", function (ev) {
        if (!ev.lengthComputable) return;
        var sent = ev.loaded * at / Math.max(1, ev.total); /* the body's bytes scaled to the files' bytes */
        files.forEach(function (f, i) {
          var part = f.size ? (sent - offsets[i]) / f.size : (sent >= offsets[i] ? 1 : 0);
          rows[i].bar.value = Math.max(0, Math.min(1, part)) * 100;
        });
      });
      xhr.addEventListener("load", function () {
        button.disabled = false;
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
        if (xhr.status !== 201 || !body || !body.id) {
          var message = body && body.error ? body.error.message_vi : "Máy chủ không nhận lô (mã " + xhr.status + ").";
          status.textContent = "Không tải lên được: " + message;
          rows.forEach(function (r) { setState(r, "refused", message); });
          return;
        }
        files = []; input.value = ""; showChosen();
        status.textContent = "Đã tải lên; đang kiểm tra…";
        tbody.textContent = "";
        rows = body.items.map(function (item) { return addRow(item.filename); });
        body.items.forEach(function (item, i) { setState(rows[i], item.state === "queued" ? "queued" : item.state, problemOf(item), item.report_id); });
        follow(body.id);
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        status.textContent = "Mất kết nối tới máy chủ khi tải lên; hãy thử lại.";
        rows.forEach(function (r) { setState(r, "refused", "Mất kết nối"); });
      });
      xhr.send(data);
    });
  }

  /* --- batch dashboard: reload once the batch is audited --- */
  function initLiveBatch() {
    var live = document.getElementById("batch-live");
    if (!live || !window.EventSource) return;
    var source = new EventSource(live.getAttribute("data-events"));
    source.addEventListener("progress", function (e) {
      var s = JSON.parse(e.data);
      live.textContent = "Đang kiểm tra: " + (s.total - s.queued - s.running) + "/" + s.total +
        " tệp xong. Trang sẽ tự cập nhật khi xong.";
    });
    source.addEventListener("done", function () { source.close(); window.location.reload(); });
    source.onerror = function () { source.close(); };
  }

  /* --- report page: a finding's source, boxed on its page or marked in its text --- */
  function placeBoxes(frame) {
    Array.prototype.forEach.call(frame.querySelectorAll(".hl-box"), function (box) {
      box.style.left = box.getAttribute("data-left") + "%";
      box.style.top = box.getAttribute("data-top") + "%";
      box.style.width = box.getAttribute("data-width") + "%";
      box.style.height = box.getAttribute("data-height") + "%";
    });
  }

  function initSources() {
    var panel = document.getElementById("source-panel");
    if (!panel) return;
    var empty = document.getElementById("source-empty");
    var current = null;
    Array.prototype.forEach.call(document.querySelectorAll(".page-frame"), placeBoxes);
    Array.prototype.forEach.call(document.querySelectorAll(".show-source"), function (button) {
      button.addEventListener("click", function () {
        var idx = button.getAttribute("data-idx");
        var source = document.getElementById("source-" + idx);
        if (!source) return;
        if (current) current.hidden = true;
        Array.prototype.forEach.call(document.querySelectorAll(".finding.selected"), function (f) {
          f.classList.remove("selected");
        });
        var finding = document.getElementById("phat-hien-" + idx);
        if (finding) finding.classList.add("selected");
        empty.hidden = true;
        source.hidden = false;
        current = source;
        var img = source.querySelector("img.page-image");
        if (img && !img.getAttribute("src")) {
          img.addEventListener("load", function () { source.setAttribute("data-loaded", "1"); });
          img.addEventListener("error", function () {
            source.appendChild(el("p", "alert", "Không vẽ được trang này thành ảnh."));
          });
          img.setAttribute("src", img.getAttribute("data-src"));
        }
        var target = source.querySelector(".hl-box, mark");
        panel.focus({ preventScroll: true });
        if (target && target.scrollIntoView) {
          var scroll = function () { target.scrollIntoView({ block: "center", inline: "nearest" }); };
          if (img && !img.complete) img.addEventListener("load", scroll); else scroll();
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initSorting();
    initUpload();
    initLiveBatch();
    initSources();
  });
})();
