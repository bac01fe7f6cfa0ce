"""The minutes and ballot-count minutes of a closed council session, as PDF: for the secretariat of the session's
council, its members and system admins; 404 to everyone else, and before the vote has closed (nothing about the
count exists until then)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from awards import minutes
from awards.models import CouncilSession
from thiduakt.lib import permissions
from thiduakt.lib.pdf import pdf_response


def get_closed_session_for_minutes(request, pk) -> CouncilSession:
    session = get_object_or_404(
        CouncilSession.objects.select_related("council__unit"), pk=pk, state=CouncilSession.State.CLOSED
    )
    user, council = request.user, session.council
    if not (
        permissions.is_system_admin(user)
        or permissions.is_secretariat(user, council)
        or permissions.is_council_member(user, council)
    ):
        raise Http404
    return session


@login_required
@require_GET
def session_minutes(request, pk, kind):
    if kind not in minutes.KINDS:
        raise Http404
    session = get_closed_session_for_minutes(request, pk)
    response = pdf_response(minutes.filename(session, kind), minutes.minutes_pdf(session, kind), inline=True)
    response["Cache-Control"] = "private, no-store"
    return response
