"""Security headers: a Content-Security-Policy without inline script, Permissions-Policy, Referrer-Policy,
no-store on every page of a logged-in user; and no inline script or event handler left in any template."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

import ketnap

TEMPLATES = Path(ketnap.__file__).resolve().parent / "templates"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", re.I)


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(client, tree):
    client.force_login(tree.users["cell_clerk"])
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    script = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'self'" in script and "unsafe-inline" not in script and "unsafe-eval" not in script
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Frame-Options"] == "DENY"
    login = client.get(reverse("login"))
    assert "Content-Security-Policy" in login and "Permissions-Policy" in login


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        if "papers" in path.parts:  # rendered to PDF and Word, never served to a browser as a page
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if INLINE.search(line):
                found.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:80]}")
    assert found == []
