# Audit verb labels and browsable object types of this module, registered in CampaignsConfig.ready().
VERB_LABELS: dict = {}
OBJECT_TYPES: dict = {}
