"""`manage.py close_sessions`: close and count the council sessions whose voting window has ended, as the
scheduler does every minute (awards.tasks.close_due_sessions); safe to run at any time and more than once."""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from awards.tasks import close_due_sessions


class Command(BaseCommand):
    help = "Close and count the council sessions whose voting window has ended (the scheduler does it every minute)."

    def handle(self, *args, **options):
        closed = close_due_sessions()
        self.stdout.write(
            ngettext("%(count)s council session closed.", "%(count)s council sessions closed.", closed)
            % {"count": closed}
        )
