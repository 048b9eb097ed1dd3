"""Messages the settings and the `ketnap` command share (importable without Django)."""

MISSING_SECRET_KEY = (
    "Thiếu SECRET_KEY: khi DEBUG tắt, Ketnap không chạy với khóa phát triển. Hãy đặt biến môi trường SECRET_KEY "
    "(ví dụ: SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')); `make demo` tự tạo "
    "một khóa trong var/secret_key.\n"
    "Missing SECRET_KEY: with DEBUG off, Ketnap does not run on the development key. Set the SECRET_KEY "
    "environment variable; `make demo` creates one in var/secret_key."
)
