"""Score templates: created, edited in place while no bloc has used them, versioned once one has."""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from organizations.models import Unit

from ...models import Bloc, ScoreCriterion, ScoreEntry, ScoreGroup, ScoreSheet, ScoreTemplate
from ...selectors import blocs as selectors
from .common import BlocError, _require, _sync_sheets


def _check_groups(groups: list[dict]) -> None:
    """groups: [{"title": str, "criteria": [{"text": str, "kind": str, "max_points": Decimal}]}]"""
    if not groups or not any(group["criteria"] for group in groups):
        raise BlocError(field_errors={"content": _("A score template needs at least one criterion.")})
    for group in groups:
        for criterion in group["criteria"]:
            if criterion["max_points"] <= 0:
                raise BlocError(field_errors={"content": _("Every criterion needs a maximum above zero.")})
            if criterion["kind"] not in ScoreCriterion.Kind.values:
                raise BlocError(field_errors={"content": _("Unknown kind of criterion.")})


def _write_groups(template: ScoreTemplate, groups: list[dict]) -> None:
    for group_order, group in enumerate(groups, start=1):
        score_group = ScoreGroup.objects.create(template=template, order=group_order, title=group["title"])
        ScoreCriterion.objects.bulk_create(
            [
                ScoreCriterion(
                    group=score_group,
                    order=order,
                    text=criterion["text"],
                    kind=criterion["kind"],
                    max_points=criterion["max_points"],
                )
                for order, criterion in enumerate(group["criteria"], start=1)
            ]
        )


def _groups_data(groups: list[dict]) -> list:
    return [
        {"title": g["title"], "criteria": [[c["text"], c["kind"], str(c["max_points"])] for c in g["criteria"]]}
        for g in groups
    ]


def template_create(*, by, organising_unit: Unit, name: str, groups: list[dict]) -> ScoreTemplate:
    _require(
        selectors.may_organise_in(by, organising_unit), _("Only an officer or head of the organising unit may do this.")
    )
    _check_groups(groups)
    with transaction.atomic():
        if ScoreTemplate.objects.filter(organising_unit=organising_unit, name=name).exists():
            raise BlocError(
                field_errors={"name": _("A template of that name exists: open it and save a new version instead.")}
            )
        template = ScoreTemplate.objects.create(organising_unit=organising_unit, name=name, version=1)
        _write_groups(template, groups)
        audit_record(
            actor=by,
            verb="score_template.created",
            obj=template,
            data={"organising_unit": organising_unit.pk, "name": name, "groups": _groups_data(groups)},
        )
    return template


def template_in_use(template: ScoreTemplate) -> bool:
    """Used by a bloc with a sheet past the draft state: such a version is never edited again."""
    return ScoreSheet.objects.filter(bloc__template=template).exclude(state=ScoreSheet.State.DRAFT).exists()


def template_new_version(*, by, template: ScoreTemplate, groups: list[dict]) -> ScoreTemplate:
    """A new version of the template (same unit and name); blocs keep the version they use."""
    _require(
        selectors.may_organise_in(by, template.organising_unit),
        _("Only an officer or head of the organising unit may do this."),
    )
    _check_groups(groups)
    with transaction.atomic():
        versions = ScoreTemplate.objects.select_for_update(no_key=True).filter(
            organising_unit=template.organising_unit, name=template.name
        )
        latest = max(v.version for v in versions)
        new = ScoreTemplate.objects.create(
            organising_unit=template.organising_unit, name=template.name, version=latest + 1
        )
        _write_groups(new, groups)
        audit_record(
            actor=by,
            verb="score_template.versioned",
            obj=new,
            data={"from": template.pk, "version": new.version, "groups": _groups_data(groups)},
        )
    return new


def template_edit(*, by, template: ScoreTemplate, groups: list[dict]) -> ScoreTemplate:
    """Edit in place while no bloc using it has a submitted sheet (draft entries are rebuilt, their self
    scores cleared); otherwise make a new version. Returns the template that holds the edit."""
    _require(
        selectors.may_organise_in(by, template.organising_unit),
        _("Only an officer or head of the organising unit may do this."),
    )
    _check_groups(groups)
    with transaction.atomic():
        template = ScoreTemplate.objects.select_for_update(no_key=True).get(pk=template.pk)
        blocs = list(Bloc.objects.select_for_update(no_key=True).filter(template=template))
        if template_in_use(template):
            return template_new_version(by=by, template=template, groups=groups)
        ScoreEntry.objects.filter(sheet__bloc__in=blocs).delete()
        template.groups.all().delete()
        _write_groups(template, groups)
        for bloc in blocs:
            _sync_sheets(bloc)
        audit_record(actor=by, verb="score_template.edited", obj=template, data={"groups": _groups_data(groups)})
    return template
