"""Every write on campaigns and registrations: one function per action, one transaction, one audit event.

Registration (đăng ký thi đua) is a plan, not a legal basis for a title since Luật TĐKT 2022 Art. 7: nothing
here blocks a nomination of a unit that did not register.

By topic: `campaigns` (a campaign from draft to summary), `registrations` (a unit's registration),
`registry` (audit labels and object types). Callers import from this package only."""

from .campaigns import (
    CAMPAIGN_FIELDS,
    NEXT_STATE,
    CampaignError,
    campaign_advance,
    campaign_amend,
    campaign_create,
    campaign_launch,
    campaign_update,
    check_dates,
    known_award_codes,
)
from .registrations import (
    EDITABLE_REGISTRATION,
    OPEN_FOR_REGISTRATION,
    registration_approve,
    registration_return,
    registration_save,
    registration_submit,
)
from .registry import OBJECT_TYPES, VERB_LABELS, fetch_campaign, fetch_registration

__all__ = [
    "CAMPAIGN_FIELDS",
    "EDITABLE_REGISTRATION",
    "NEXT_STATE",
    "OBJECT_TYPES",
    "OPEN_FOR_REGISTRATION",
    "VERB_LABELS",
    "CampaignError",
    "campaign_advance",
    "campaign_amend",
    "campaign_create",
    "campaign_launch",
    "campaign_update",
    "check_dates",
    "fetch_campaign",
    "fetch_registration",
    "known_award_codes",
    "registration_approve",
    "registration_return",
    "registration_save",
    "registration_submit",
]
