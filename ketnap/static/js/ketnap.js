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
