"""`manage.py send_reminders`: one deadline-reminder pass and the outbox mailed, as beat does every 15 minutes
(notifications.tasks.send_reminders_task); safe to run at any time and more than once: a reminder already given
is never given again."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from notifications import reminders, services
from notifications.models import MAX_ATTEMPTS, Notification


class Command(BaseCommand):
    help = "Send the deadline reminders that are due (the scheduler does it every 15 minutes) and mail the outbox."

    def handle(self, *args, **options):
        written = reminders.run_pass()
        services.flush_outbox(limit=10_000)
        labels = dict(Notification.Kind.choices)
        for kind, count in written.items():
            self.stdout.write(f"{labels[kind]}: {count}")
        unsent = Notification.objects.filter(email=True, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).count()
        self.stdout.write(
            _("%(written)s reminders given; emails still waiting in the outbox: %(unsent)s.")
            % {"written": sum(written.values()), "unsent": unsent}
        )
