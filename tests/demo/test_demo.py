"""The demo generator: deterministic, honours sizes, produces valid and consistent data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Max, Q

from clientpm.accounts.models import User
from clientpm.core.models import ChangeRecord, CodeSequence
from clientpm.customers.models import Contact, Customer, Interaction
from clientpm.customers.validators import validate_credit_code, validate_phone
from clientpm.projects.models import Baseline, Project, Task, TaskDependency

ANCHOR = "2026-06-30"


def fingerprint() -> list[tuple]:
    return list(
        Customer.objects.order_by("code").values_list(
            "code",
            "name",
            "credit_code",
            "province",
            "tier",
            "lifecycle_stage",
            "owner__username",
            "last_interaction_at",
        )
    )


def load(customers: int = 20) -> None:
    call_command(
        "demo", seed=7, customers=customers, users=8, anchor=dt.date.fromisoformat(ANCHOR), no_progress=True
    )


@pytest.mark.django_db
def test_counts_validity_and_consistency():
    load()
    assert Customer.objects.count() == 20
    for customer in Customer.objects.exclude(credit_code=""):
        validate_credit_code(customer.credit_code)
    for mobile in Contact.objects.values_list("mobile", flat=True):
        validate_phone(mobile)
    per_customer = Customer.objects.annotate(primary=Count("contacts", filter=Q(contacts__is_primary=True)))
    assert set(per_customer.values_list("primary", flat=True)) == {1}
    latest = Customer.objects.annotate(latest=Max("interactions__occurred_at"))
    assert all(c.latest == c.last_interaction_at for c in latest)
    assert ChangeRecord.objects.filter(content_type__model="customer", action="create").count() == 20
    assert (
        ChangeRecord.objects.filter(content_type__model="interaction").count() == Interaction.objects.count()
    )
    assert Customer.objects.order_by("code").values_list("code", flat=True)[0] == "C-000001"


@pytest.mark.django_db
def test_same_seed_and_anchor_give_the_same_data():
    load()
    first = fingerprint()
    Interaction.objects.all().delete()
    Project.objects.all().delete()
    Customer.objects.all().delete()
    User.objects.filter(username__startswith="demo7_").delete()
    CodeSequence.objects.all().delete()
    call_command(
        "demo",
        seed=7,
        customers=20,
        users=8,
        anchor=dt.date.fromisoformat(ANCHOR),
        no_progress=True,
        append=True,
    )
    assert fingerprint() == first


@pytest.mark.django_db
def test_refuses_a_database_with_customers():
    load(customers=2)
    with pytest.raises(CommandError, match="already has customers"):
        load(customers=2)


@pytest.mark.django_db
def test_projects_past_initiation_have_a_scheduled_plan():
    load(customers=60)
    planned = Project.objects.exclude(phase="initiation")
    assert planned.exists()
    # 6 summary tasks and 16 leaves per project (see demo/plans.py WBS).
    assert Task.objects.filter(project__phase="initiation").count() == 0
    assert Task.objects.filter(project__in=planned).count() == 22 * planned.count()
    assert not Task.objects.filter(project__in=planned, start_date__isnull=True).exists()
    assert planned.filter(scheduled_finish_date__isnull=True).count() == 0, (
        "every planned project has a computed finish"
    )
    # Finish-to-start links hold: a successor never starts before its predecessor finishes + lag
    # (a lag in working days is at least that many calendar days, so calendar days are a lower bound).
    for link in TaskDependency.objects.filter(dependency_type="fs", lag_days__gte=0).select_related(
        "predecessor", "successor"
    ):
        assert link.successor.start_date > link.predecessor.finish_date
    # Leaves carry a three-point estimate around their duration, so schedule risk has something to draw.
    leaves = Task.objects.filter(project__in=planned, is_summary=False, duration_days__gt=0)
    assert leaves.filter(optimistic_days__isnull=True).count() == 0
    for o, m, p, d in leaves.values_list(
        "optimistic_days", "most_likely_days", "pessimistic_days", "duration_days"
    ):
        assert o <= m == d <= p
        assert p > d
    executing = planned.filter(phase__in=["execution", "closing", "closed"])
    assert Baseline.objects.filter(project__in=executing).count() == executing.count()
    assert not Baseline.objects.filter(project__phase="planning").exists()
    done = Task.objects.filter(project__in=executing, status="done")
    assert done.exists()
    assert not done.filter(actual_finish_date__gt=dt.date.fromisoformat(ANCHOR)).exists()
