"""Every write of the customers app, one module per object; import from here.

Each function takes the acting user, validates across rows, runs in one transaction and leaves a
change record, so the web UI, API, admin, import and jobs all behave the same.
"""

from __future__ import annotations

from .contacts import CONTACT_FIELDS, DuplicateContactError, contact_create, contact_delete, contact_update
from .customers import (
    CUSTOMER_CODE,
    CUSTOMER_FIELDS,
    DuplicateCustomerError,
    customer_create,
    customer_delete,
    customer_set_archived,
    customer_snapshot,
    customer_update,
    tags_resolve,
)
from .interactions import (
    INTERACTION_FIELDS,
    customer_last_interaction_refresh,
    interaction_complete_follow_up,
    interaction_create,
    interaction_delete,
    interaction_snapshot,
    interaction_update,
)
from .segments import (
    SEGMENT_FIELDS,
    segment_add_members,
    segment_create,
    segment_delete,
    segment_remove_members,
    segment_rules_validate,
    segment_snapshot,
    segment_update,
)

__all__ = [
    "CONTACT_FIELDS",
    "CUSTOMER_CODE",
    "CUSTOMER_FIELDS",
    "INTERACTION_FIELDS",
    "SEGMENT_FIELDS",
    "DuplicateContactError",
    "DuplicateCustomerError",
    "contact_create",
    "contact_delete",
    "contact_update",
    "customer_create",
    "customer_delete",
    "customer_last_interaction_refresh",
    "customer_set_archived",
    "customer_snapshot",
    "customer_update",
    "interaction_complete_follow_up",
    "interaction_create",
    "interaction_delete",
    "interaction_snapshot",
    "interaction_update",
    "segment_add_members",
    "segment_create",
    "segment_delete",
    "segment_remove_members",
    "segment_rules_validate",
    "segment_snapshot",
    "segment_update",
    "tags_resolve",
]
