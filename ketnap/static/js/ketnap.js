// Ketnap: small helpers on top of htmx (no build step).
document.addEventListener("htmx:responseError", function (evt) {
  var box = document.getElementById("messages");
  if (!box) return;
  var status = evt.detail.xhr.status;
  var text = status === 403 ? "Vai trò của bạn không được phép thực hiện thao tác này."
    : status === 404 ? "Không tìm thấy hoặc bạn không có quyền xem."
    : "Có lỗi xảy ra (mã " + status + "). Vui lòng thử lại.";
  var div = document.createElement("div");
  div.className = "alert alert-danger";
  div.setAttribute("role", "alert");
  div.textContent = text;
  box.appendChild(div);
});

// Pipeline board: "only blocked dossiers" switch (shown only when scripts run; the list link works without).
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("board-blocked-only");
  var board = document.getElementById("pipeline-board");
  if (!box || !board) return;
  document.getElementById("board-blocked-switch").classList.remove("d-none");
  box.addEventListener("change", function () { board.classList.toggle("only-blocked", box.checked); });
});

// Irreversible sends ask first: a form (or its submit button) with data-confirm="…" is sent only after the
// user agrees in a confirmation dialog. Runs before htmx (capture phase), so boosted forms ask too.
document.addEventListener("submit", function (evt) {
  var form = evt.target;
  var button = evt.submitter;
  var text = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (!text) return;
  var count = form.getAttribute("data-confirm-count");  // a selector: "{n}" becomes the number checked
  if (count) text = text.replace("{n}", String(form.querySelectorAll(count).length));
  if (!window.confirm(text)) {
    evt.preventDefault();
    evt.stopImmediatePropagation();
  }
}, true);

// No inline script anywhere (Content-Security-Policy: script-src 'self'): behaviours are data attributes.
// <select data-autosubmit> (and checkboxes) send their form when changed; <button data-print> prints the page.
document.addEventListener("change", function (evt) {
  var el = evt.target;
  if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
    if (typeof el.form.requestSubmit === "function") el.form.requestSubmit(); else el.form.submit();
  }
});
document.addEventListener("click", function (evt) {
  var el = evt.target && evt.target.closest ? evt.target.closest("[data-print]") : null;
  if (el) { evt.preventDefault(); window.print(); }
});

// Organisation tree: fold and unfold a unit's subtree. Rows are in tree order, each with its materialized
// path; a row is shown when every ancestor row is unfolded (aria-expanded="true").
document.addEventListener("DOMContentLoaded", function () {
  var table = document.getElementById("org-tree");
  if (!table) return;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);

  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.firstElementChild.textContent = open ? "▾" : "▸";
    var label = button.getAttribute("aria-label") || "";
    button.setAttribute("aria-label", (open ? "Thu gọn" : "Mở") + label.replace(/^(Thu gọn|Mở)/, ""));
  }

  function refresh(from) {
    // Recompute visibility of the rows after `from` inside its subtree (all rows when from < 0).
    var base = from >= 0 ? rows[from].getAttribute("data-path") : "";
    var closed = [];  // paths of folded ancestors
    if (from >= 0) {
      var own = rows[from].querySelector(".org-toggle");
      if (rows[from].hidden || (own && own.getAttribute("aria-expanded") !== "true")) closed.push(base);
    }
    for (var i = from + 1; i < rows.length; i++) {
      var path = rows[i].getAttribute("data-path");
      if (base && path.indexOf(base) !== 0) break;
      while (closed.length && path.indexOf(closed[closed.length - 1]) !== 0) closed.pop();
      rows[i].hidden = closed.length > 0;
      var toggle = rows[i].querySelector(".org-toggle");
      if (!rows[i].hidden && toggle && toggle.getAttribute("aria-expanded") !== "true") closed.push(path);
      else if (rows[i].hidden) closed.push(path);
    }
  }

  table.addEventListener("click", function (evt) {
    var button = evt.target.closest(".org-toggle");
    if (!button) return;
    setOpen(button, button.getAttribute("aria-expanded") !== "true");
    refresh(rows.indexOf(button.closest("tr")));
  });
  document.querySelectorAll("[data-tree-all]").forEach(function (button) {
    button.addEventListener("click", function () {
      var open = button.getAttribute("data-tree-all") === "open";
      table.querySelectorAll(".org-toggle").forEach(function (t) { setOpen(t, open); });
      if (!open) {
        // keep the top level and its children visible
        rows.forEach(function (r) {
          var t = r.querySelector(".org-toggle");
          if (t && r.querySelector(".org-indent").style.getPropertyValue("--indent").trim() === "0") setOpen(t, true);
        });
      }
      refresh(-1);
    });
  });
});
