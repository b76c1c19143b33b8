"""Every read of the customers app, one module per object; import from here.

Every read starts from ``customer_scope``, so a user never sees a customer, contact, interaction or
segment member outside their scope.
"""

from __future__ import annotations

from .contacts import (
    ContactDuplicateMatch,
    contact_choices,
    contact_duplicates,
    contact_get,
    contact_list,
    contact_scope,
    contacts_by_ids,
)
from .customers import (
    Customer360,
    DuplicateMatch,
    customer_360,
    customer_choices,
    customer_delete_impact,
    customer_duplicates,
    customer_filter,
    customer_get,
    customer_list,
    customer_scope,
    customer_visible,
    customers_by_ids,
    segment_apply,
    tag_names,
)
from .interactions import (
    follow_up_list,
    interaction_get,
    interaction_list,
    interaction_scope,
)
from .segments import (
    segment_get,
    segment_list,
    segment_member_counts,
    segment_members,
    segment_rule_labels,
    segment_scope,
    static_segment_choices,
)

__all__ = [
    "ContactDuplicateMatch",
    "Customer360",
    "DuplicateMatch",
    "contact_choices",
    "contact_duplicates",
    "contact_get",
    "contact_list",
    "contact_scope",
    "contacts_by_ids",
    "customer_360",
    "customer_choices",
    "customer_delete_impact",
    "customer_duplicates",
    "customer_filter",
    "customer_get",
    "customer_list",
    "customer_scope",
    "customer_visible",
    "customers_by_ids",
    "follow_up_list",
    "interaction_get",
    "interaction_list",
    "interaction_scope",
    "segment_apply",
    "segment_get",
    "segment_list",
    "segment_member_counts",
    "segment_members",
    "segment_rule_labels",
    "segment_scope",
    "static_segment_choices",
    "tag_names",
]
