from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.services import audit_verify


class Command(BaseCommand):
    help = "Walk the audit chain from its first event; exit 1 naming the first broken event."

    def handle(self, *args, **options):
        ok, checked, broken, reason = audit_verify()
        if ok:
            self.stdout.write(self.style.SUCCESS(f"Chuỗi nhật ký toàn vẹn: {checked} sự kiện đã kiểm tra."))
            return
        where = "không có sự kiện nào"
        if broken is not None:
            when = timezone.localtime(broken.created_at).strftime("%d/%m/%Y %H:%M:%S")
            target = "—"
            if broken.object_type:
                target = f"{broken.object_type}#{broken.object_id} ({broken.object_repr})"
            where = f"sự kiện seq {broken.seq}, lúc {when}, hành động {broken.verb}, đối tượng {target}"
        raise CommandError(f"Chuỗi nhật ký bị phá vỡ tại {where}: {reason}. {checked} sự kiện trước đó toàn vẹn.")
