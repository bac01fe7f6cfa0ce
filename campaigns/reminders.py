"""The campaign registration deadline reminder (issue 8; the engine is notifications.reminders): the officers of
each unit in a launched campaign's scope that has not sent its registration, and once it is overdue the heads of
those units."""

from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.reminders import Due, end_of_day, local_day, when, window
from organizations.models import Unit
from thiduakt.lib import permissions

from .models import Campaign, Registration
from .selectors.campaigns import scope_units

RUNNING = (Campaign.State.LAUNCHED, Campaign.State.MIDTERM_REVIEWED)
SENT = (Registration.State.AWAITING_APPROVAL, Registration.State.APPROVED)


def registration_due(now) -> list[Due]:
    """Two queries, plus one per campaign whose registration deadline is near (its units in scope not registered)."""
    earliest, latest = window(now)
    campaigns = Campaign.objects.filter(
        state__in=RUNNING,
        registration_deadline__gte=local_day(earliest),
        registration_deadline__lte=local_day(latest),
    ).select_related("launching_unit")
    pending = {}
    for campaign in campaigns:
        units = (
            scope_units(campaign)
            .filter(valid_to__isnull=True)
            .exclude(pk__in=Registration.objects.filter(campaign=campaign, state__in=SENT).values("unit_id"))
        )
        pending[campaign] = {unit.pk: unit for unit in units.only("id", "name", "path")}
    return units_due(
        pending,
        deadline_of=lambda campaign: end_of_day(campaign.registration_deadline),
        texts=_registration_texts,
    )


def units_due(pending: dict, *, deadline_of, texts, link_of=None) -> list[Due]:
    """Due rows for campaigns and the units that still owe them something: {campaign: {unit pk: unit}}. Each
    officer of those units is reminded once per campaign, of all their units; each head, once overdue. One query
    (the role holders). `texts(campaign, units, offset)` gives subject and body, `link_of(campaign, units)` the
    page where it is done (by default the unit's registration, or the campaign)."""
    unit_ids = {pk for units in pending.values() for pk in units}
    holders = defaultdict(list)  # unit pk → [(user, role)]
    if unit_ids:
        roles = {Unit.Role.OFFICER, Unit.Role.HEAD}
        for holder in permissions.direct_role_holders(unit_ids, roles=roles):
            holders[holder.content_object_id].append((holder.user, holder.permission.codename))
    rows = []
    for campaign, units in pending.items():
        deadline = deadline_of(campaign)
        mine = defaultdict(list)  # (user pk, role) → the user's units, in tree order
        people = {}
        for unit in sorted(units.values(), key=lambda unit: unit.path):
            for user, role in holders.get(unit.pk, ()):
                people[user.pk] = user
                mine[(user.pk, role)].append(unit)
        rows += [
            Due(
                target_type="campaign",
                target_id=campaign.pk,
                deadline=deadline,
                unit_path=campaign.launching_unit.path,
                recipient=people[user_pk],
                escalation=role == Unit.Role.HEAD,
                message=_message(campaign, user_units, texts, link_of or _registration_link),
            )
            for (user_pk, role), user_units in mine.items()
        ]
    return rows


def _registration_link(campaign, units) -> str:
    if len(units) == 1:
        return reverse("registration_edit", args=[campaign.pk, units[0].pk])
    return reverse("campaign_detail", args=[campaign.pk])


def _message(campaign, units, texts, link_of):
    def message(offset: int) -> tuple[str, str, str]:
        # The link is reversed here, for the reminders given only: most Due rows are not current at a pass.
        subject, body = texts(campaign, units, offset)
        return subject, body, link_of(campaign, units)

    return message


def _registration_texts(campaign, units, offset: int) -> tuple[str, str]:
    stand = when(offset, end_of_day(campaign.registration_deadline))
    subject = _("Emulation registration for %(campaign)s: %(when)s") % {"campaign": campaign.title, "when": stand}
    lines = [
        _("The campaign %(campaign)s launched by %(unit)s has not received the emulation registration of:")
        % {"campaign": campaign.title, "unit": campaign.launching_unit.name}
    ]
    lines += [f"- {unit.name}" for unit in units]
    lines.append(_("Registration deadline: %(date)s.") % {"date": f"{campaign.registration_deadline:%d/%m/%Y}"})
    return subject, "\n".join(lines)
