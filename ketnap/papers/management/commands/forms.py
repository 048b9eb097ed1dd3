"""`ketnap forms PERSON_ID --out DIR`: write every paper the person's ledger supports, as Word and PDF, and list
them. Numbers not yet issued are issued (for the system, audited). Exit 2 for an unknown person."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from ketnap.papers import documents
from ketnap.people.models import Person


class Command(BaseCommand):
    help = "Lập mọi giấy tờ của một người (Word và PDF) từ sổ theo dõi — write every paper of a person."

    def add_arguments(self, parser):
        parser.add_argument("person_id", help="số hiệu của người trong hệ thống")
        parser.add_argument("--out", required=True, help="thư mục ghi các tệp")
        parser.add_argument("--dossier", action="store_true", help="ghi thêm toàn bộ hồ sơ thành một tệp PDF")

    def handle(self, *args, person_id: str, out: str, dossier: bool, **options):
        person = None
        if str(person_id).isdigit():
            person = (
                Person.objects.select_related("unit", "school", "residence_ward", "mentor")
                .filter(pk=int(person_id))
                .first()
            )
        if person is None:
            self.stderr.write(f"Không có người mang số hiệu {person_id} trong hệ thống.")
            sys.exit(2)
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        events = list(person.events.select_related("org").order_by("occurred_on", "id"))
        papers = documents.all_papers(person, events, system=True)
        self.stdout.write(f"{person.full_name} — {len(papers)} giấy tờ, ghi vào {folder}:")
        for ref, rendered in papers:
            for fmt, data in (("docx", rendered.docx()), ("pdf", rendered.pdf())):
                (folder / f"{rendered.filename}.{fmt}").write_bytes(data)
            label = ref.form.label + (f", {ref.event.occurred_on:%d/%m/%Y}" if ref.event is not None else "")
            self.stdout.write(f"  {rendered.filename}.docx, .pdf — {label}")
        if dossier:
            whole = documents.dossier(person, events, system=True)
            (folder / f"{whole.filename}.pdf").write_bytes(whole.pdf())
            self.stdout.write(f"  {whole.filename}.pdf — toàn bộ hồ sơ, có danh mục")
