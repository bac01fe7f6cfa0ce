"""Council sessions and the secret ballot (law-notes §7.2).

A member's vote is stored twice, in two tables that share nothing but the session: `Ballot`, the receipt that
the member voted (who, never what), and `BallotPaper`, what was voted (never who). A paper has a random key,
no timestamp and no serial number; at close the papers are rewritten in random order (awards/sessions.py) so
that not even PostgreSQL's system columns tie a paper to the transaction that wrote its voter's receipt."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.models import Council, CouncilMember

from .nominations import ReviewStage


class CouncilSession(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        OPEN = "open", _("Voting open")
        CLOSED = "closed", _("Closed")

    council = models.ForeignKey(Council, verbose_name=_("council"), on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(_("title"), max_length=255)
    meeting_on = models.DateField(_("meeting date"))
    opens_at = models.DateTimeField(_("voting opens at"))
    closes_at = models.DateTimeField(_("voting closes at"))
    remote = models.BooleanField(_("remote voting"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # CouncilMember ids of the voting members when voting opened: later changes to the council do not count.
    voter_ids = models.JSONField(_("voting members at opening"), default=list, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    result_note = models.TextField(_("result note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("council session")
        verbose_name_plural = _("council sessions")
        ordering = ["-meeting_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="session_window"),
        ]
        indexes = [models.Index(fields=["state", "closes_at"], name="session_state_closes")]

    def __str__(self):
        return self.title


class AgendaItem(models.Model):
    """One nomination put to the vote. `active` is true while its session is being prepared or open: a stage is
    on at most one such session (the partial unique constraint), and is free again once that session closed."""

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="items")
    stage = models.ForeignKey(ReviewStage, on_delete=models.PROTECT, related_name="agenda_items")
    order = models.PositiveIntegerField(_("order"))
    active = models.BooleanField(default=True)
    vote_rule = models.JSONField(_("vote rule"), default=dict, blank=True)  # frozen when voting opens
    agree = models.PositiveIntegerField(_("agree"), null=True, blank=True)
    disagree = models.PositiveIntegerField(_("disagree"), null=True, blank=True)
    abstain = models.PositiveIntegerField(_("abstain"), null=True, blank=True)
    eligible_voters = models.PositiveIntegerField(_("eligible voters"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)  # None: not decided (no quorum, not open)
    result_note = models.TextField(_("result note"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["session", "order"]
        constraints = [
            models.UniqueConstraint(fields=["session", "order"], name="one_agenda_order"),
            models.UniqueConstraint(fields=["session", "stage"], name="one_agenda_item_per_stage"),
            models.UniqueConstraint(fields=["stage"], condition=Q(active=True), name="stage_on_one_open_session"),
        ]

    def __str__(self):
        return f"{self.session} #{self.order}"


class SessionAttendance(models.Model):
    """A member present at the meeting (frozen when voting opens)."""

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="one_attendance")]

    def __str__(self):
        return f"{self.session}: {self.member}"


class Recusal(models.Model):
    """A member who does not vote on an item: the nominee (recorded automatically when voting opens) or one
    with a declared conflict of interest (same unit, relative)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="recusals")
    member = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=255)
    automatic = models.BooleanField(_("recorded automatically"), default=False)

    class Meta:
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="one_recusal")]

    def __str__(self):
        return f"{self.item}: {self.member}"


class Ballot(models.Model):
    """The receipt that a member voted in a session: no time, no link to the paper."""

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="ballots")
    member = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("ballot receipt")
        verbose_name_plural = _("ballot receipts")
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="one_ballot_per_member")]

    def __str__(self):
        return f"{self.session}: {self.member}"


class BallotPaper(models.Model):
    """One member's choice on one agenda item, anonymous: a random key (never sequential), the item and the
    choice; no member, no timestamp. A member writes one paper per item not recused from, so the papers of an
    item look alike whoever wrote them and whichever items their writer was recused from."""

    class Choice(models.TextChoices):
        AGREE = "agree", _("Agree")
        DISAGREE = "disagree", _("Disagree")
        ABSTAIN = "abstain", _("Abstain")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="papers")
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    choice = models.CharField(_("choice"), max_length=8, choices=Choice.choices)

    class Meta:
        verbose_name = _("ballot paper")
        verbose_name_plural = _("ballot papers")

    def __str__(self):
        return str(self.id)
