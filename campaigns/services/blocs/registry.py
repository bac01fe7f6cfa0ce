"""Audit verb labels and browsable object types of the bloc services, registered in CampaignsConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext_lazy

from ...selectors import blocs as selectors


def fetch_bloc(request, pk):
    bloc, _access = selectors.get_bloc_for_user(request, pk, need="manages")
    return bloc, str(bloc), reverse("bloc_detail", args=[bloc.pk])


def fetch_sheet(request, pk):
    sheet, _access = selectors.get_sheet_for_user(request, pk)
    return sheet, str(sheet), reverse("sheet_detail", args=[sheet.pk])


VERB_LABELS = {
    "bloc.created": gettext_lazy("Emulation bloc created"),
    "bloc.updated": gettext_lazy("Emulation bloc changed"),
    "bloc.members_set": gettext_lazy("Bloc members and leaders set"),
    "bloc.pledge_recorded": gettext_lazy("Emulation pledge recorded"),
    "bloc.sheets_locked": gettext_lazy("Score sheets locked"),
    "bloc.result_recorded": gettext_lazy("Bloc result recorded"),
    "score_template.created": gettext_lazy("Score template created"),
    "score_template.edited": gettext_lazy("Score template edited"),
    "score_template.versioned": gettext_lazy("Score template: new version"),
    "score_sheet.saved": gettext_lazy("Self scores saved"),
    "score_sheet.submitted": gettext_lazy("Score sheet submitted"),
    "score_sheet.verified": gettext_lazy("Score sheet cross-checked"),
}

OBJECT_TYPES = {
    "campaigns.bloc": fetch_bloc,
    "campaigns.scoresheet": fetch_sheet,
}
