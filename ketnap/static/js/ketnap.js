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
