"""manage.py seed_demo [--scale N] [--if-empty] [--seed S]

Loads the demo province (organizations/demo/builder.py): scale 1 (~100 units, ~3,300 people, seconds on
SQLite) for `make run`, scale 30 (~3,000 units, ~100,000 people) for `make bench` on PostgreSQL.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.services import audit_record
from organizations import demo
from organizations.demo.builder import DEFAULT_SEED, DemoBuilder, logins_table
from organizations.models import Unit

BASE_COUNTS = {"units", "people", "employments", "households", "councils", "council_members", "users"}


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu: một tỉnh giả định (Tỉnh Sông Hồng) với đơn vị, cá nhân, hội đồng và tài khoản demo."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="1 ≈ 100 đơn vị, 3.300 người; 30 ≈ quy mô một tỉnh.")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Hạt giống ngẫu nhiên (mặc định 2026).")
        parser.add_argument("--if-empty", action="store_true", help="Không làm gì nếu đã có đơn vị nào.")

    def handle(self, *args, scale, seed, if_empty, **options):
        if scale < 1:
            raise CommandError("--scale phải là số nguyên dương.")
        if Unit.objects.exists():
            if not if_empty:
                raise CommandError("Cơ sở dữ liệu đã có đơn vị; dùng --if-empty hoặc một cơ sở dữ liệu trống.")
            self.stdout.write("Đã có dữ liệu, không tạo thêm.")
        else:
            started = time.perf_counter()
            with transaction.atomic():
                counts = DemoBuilder(scale=scale, seed=seed).build()
                for extend in demo.EXTENDERS:
                    counts.update(extend(scale=scale, seed=seed))
                audit_record(actor=None, verb="demo.seeded", data={"scale": scale, "seed": seed, **counts})
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"Đã tạo dữ liệu mẫu (quy mô {scale}, seed {seed}) trong {elapsed:.1f} giây: "
                f"{counts['units']} đơn vị, {counts['people']} cá nhân, "
                f"{counts['employments']} quá trình công tác, {counts['households']} hộ gia đình, "
                f"{counts['councils']} hội đồng ({counts['council_members']} thành viên), "
                f"{counts['users']} tài khoản."
            )
            extra = {key: value for key, value in counts.items() if key not in BASE_COUNTS}
            if extra:
                self.stdout.write("Dữ liệu bổ sung: " + ", ".join(f"{key} {value}" for key, value in extra.items()))
        self.stdout.write("")
        self.stdout.write("Tài khoản demo:")
        for line in logins_table():
            self.stdout.write(line)
