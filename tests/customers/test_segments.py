"""Segments: static lists and rule-based segments (rules = customer-list filters), member counts,
the REST API and the pages, including "save the current filter as a segment"."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import Client

from clientpm.core.errors import ConflictError, StaleVersionError
from clientpm.core.models import ChangeRecord
from clientpm.customers import services
from clientpm.customers.filters import CustomerFilters
from clientpm.customers.models import Segment
from clientpm.customers.queries import customer_list, segment_list, segment_member_counts, segment_members
from clientpm.customers.services import (
    customer_create,
    segment_add_members,
    segment_create,
    segment_delete,
    segment_remove_members,
    segment_update,
)


def records(model, obj_id=None):
    qs = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(model)).order_by("id")
    return list(qs if obj_id is None else qs.filter(object_id=obj_id))


def make_customer(actor, name, **fields):
    fields.setdefault("owner", actor)
    return customer_create(actor=actor, name=name, allow_duplicates=True, **fields)


@pytest.fixture
def book(account_manager, other_manager):
    """Three customers of the account manager (two active, one a key account) and one of someone else."""
    return {
        "a": make_customer(account_manager, "甲公司", lifecycle_stage="active", tier="key"),
        "b": make_customer(account_manager, "乙公司", lifecycle_stage="active"),
        "c": make_customer(account_manager, "丙公司", lifecycle_stage="potential"),
        "x": make_customer(other_manager, "外公司", lifecycle_stage="active"),
    }


def names(qs):
    return sorted(c.name for c in qs)


# --- services -------------------------------------------------------------------------------------


def test_rule_based_segment_stores_normalised_rules_and_computes_members(account_manager, executive, book):
    segment = segment_create(
        actor=account_manager, name=" 活跃客户 ", rules={"stage": ["active"], "sort": "name", "q": " "}
    )
    assert segment.name == "活跃客户"
    assert segment.rules == {"stage": ["active"]}
    assert segment.owner == account_manager
    assert names(segment_members(user=account_manager, segment=segment)) == ["乙公司", "甲公司"]
    assert names(segment_members(user=executive, segment=segment)) == ["乙公司", "外公司", "甲公司"]
    # exactly what the customer list shows with the same filter
    listed = customer_list(user=executive, filters=CustomerFilters(stage=["active"]))
    assert names(listed) == names(segment_members(user=executive, segment=segment))
    [record] = records(Segment, segment.pk)
    assert record.changes["rules"] == [None, {"stage": ["active"]}]


@pytest.mark.parametrize(
    ("rules", "fields"),
    [
        ({"stage": ["bogus"]}, ["rules.stage"]),
        ({"colour": "red"}, ["rules.colour"]),
        ({"segment": 1}, ["rules.segment"]),
        ({"no_interaction_days": 0, "tier": ["key"]}, ["rules.no_interaction_days"]),
        ("stage=active", ["rules"]),
    ],
)
def test_invalid_rules_are_field_errors(account_manager, rules, fields):
    with pytest.raises(ValidationError) as info:
        segment_create(actor=account_manager, name="坏规则", rules=rules)
    assert sorted(info.value.message_dict) == fields
    assert Segment.objects.count() == 0


def test_static_segment_members_with_audit(account_manager, book):
    segment = segment_create(actor=account_manager, name="重点名单", kind="static", members=[book["a"]])
    added = segment_add_members(actor=account_manager, segment=segment, customers=[book["a"], book["b"]])
    assert added == 1
    update = records(Segment, segment.pk)[-1]
    assert update.actor == account_manager
    assert update.changes == {"members": [[book["a"].pk], sorted([book["a"].pk, book["b"].pk])]}
    removed = segment_remove_members(actor=account_manager, segment=segment, customers=[book["a"], book["c"]])
    assert removed == 1
    assert records(Segment, segment.pk)[-1].changes == {
        "members": [sorted([book["a"].pk, book["b"].pk]), [book["b"].pk]]
    }
    assert names(segment.members.all()) == ["乙公司"]
    segment.refresh_from_db()
    assert segment.version == 1  # membership does not collide with edits of the name


def test_static_segment_refuses_rules_and_dynamic_refuses_members(account_manager, book):
    with pytest.raises(ValidationError) as info:
        segment_create(actor=account_manager, name="s", kind="static", rules={"stage": ["active"]})
    assert list(info.value.message_dict) == ["rules"]
    dynamic = segment_create(actor=account_manager, name="d", rules={"tier": ["key"]})
    with pytest.raises(ConflictError):
        segment_add_members(actor=account_manager, segment=dynamic, customers=[book["b"]])
    with pytest.raises(ValidationError):
        segment_create(actor=account_manager, name="d2", members=[book["a"]])


def test_members_must_be_visible_to_the_actor(account_manager, book):
    segment = segment_create(actor=account_manager, name="s", kind="static")
    with pytest.raises(ValidationError) as info:
        segment_add_members(actor=account_manager, segment=segment, customers=[book["a"], book["x"]])
    assert info.value.message_dict == {"customer_ids": ["Unknown customer."]}
    assert segment.members.count() == 0


def test_update_stale_version_and_kind_change(account_manager, book):
    segment = segment_create(actor=account_manager, name="s", kind="static", members=[book["a"]])
    updated = segment_update(actor=account_manager, segment=segment, version=1, name="新名字")
    assert updated.version == 2
    with pytest.raises(StaleVersionError):
        segment_update(actor=account_manager, segment=segment, version=1, name="旧名字")
    dynamic = segment_update(
        actor=account_manager, segment=segment, version=2, kind="dynamic", rules={"tier": ["key"]}
    )
    assert dynamic.members.count() == 0
    assert records(Segment, segment.pk)[-1].changes == {
        "kind": ["static", "dynamic"],
        "members": [[book["a"].pk], []],
        "rules": [{}, {"tier": ["key"]}],
    }


def test_a_failing_write_leaves_nothing_behind(account_manager, book, monkeypatch):
    segment = segment_create(actor=account_manager, name="s", kind="static")

    def broken(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services.segments, "record_update", broken)
    with pytest.raises(RuntimeError):
        segment_add_members(actor=account_manager, segment=segment, customers=[book["a"]])
    assert segment.members.count() == 0


def test_delete_keeps_customers(account_manager, book):
    segment = segment_create(actor=account_manager, name="s", kind="static", members=[book["a"]])
    segment_delete(actor=account_manager, segment=segment, version=1)
    assert not Segment.objects.exists()
    assert records(Segment, segment.pk)[-1].changes["members"] == [[book["a"].pk], None]
    book["a"].refresh_from_db()


def test_member_counts_are_scoped_and_static_counts_need_no_query(
    account_manager, other_manager, executive, book, django_assert_num_queries
):
    static = segment_create(
        actor=account_manager, name="A static", kind="static", members=[book["a"], book["b"]]
    )
    segment_add_members(
        actor=executive.__class__.objects.get(username="am2"), segment=static, customers=[book["x"]]
    )
    segment_create(actor=account_manager, name="B active", rules={"stage": ["active"]})
    segment_create(actor=account_manager, name="C key", rules={"tier": ["key"]})
    # permissions are cached on the user; one query lists segments with their static counts, then
    # one COUNT for each of the two rule-based segments
    with django_assert_num_queries(3):
        mine = segment_member_counts(user=account_manager, segments=segment_list(user=account_manager))
    assert [(s.name, s.member_count) for s in mine] == [("A static", 2), ("B active", 2), ("C key", 1)]
    everyone = segment_member_counts(user=executive, segments=segment_list(user=executive))
    assert [s.member_count for s in everyone] == [3, 3, 1]


# --- API ------------------------------------------------------------------------------------------


def test_api_list_with_counts_and_query_count(api, account_manager, book, django_assert_max_num_queries):
    for i in range(4):
        segment_create(
            actor=account_manager, name=f"静态{i}", kind="static", members=[book["a"], book["b"]][: i % 3]
        )
    segment_create(actor=account_manager, name="规则", rules={"stage": ["active"]})
    client = api(account_manager)
    with django_assert_max_num_queries(9):  # auth, perms, count, page with static counts, 1 COUNT per rule
        body = client.get("/api/v1/segments").json()
    assert body["count"] == 5
    assert [(s["name"], s["member_count"]) for s in body["items"]] == [
        ("规则", 2),
        ("静态0", 0),
        ("静态1", 1),
        ("静态2", 2),
        ("静态3", 0),
    ]
    assert client.get("/api/v1/segments?q=静态").json()["count"] == 4


def test_api_crud_and_members(api, account_manager, book):
    client = api(account_manager)
    created = client.post(
        "/api/v1/segments",
        {"name": "重点", "kind": "static", "customer_ids": [book["a"].pk]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    segment_id = created.json()["id"]
    assert created.json()["member_count"] == 1
    url = f"/api/v1/segments/{segment_id}"
    added = client.post(
        f"{url}/members", {"customer_ids": [book["b"].pk, book["c"].pk]}, content_type="application/json"
    )
    assert added.status_code == 200
    assert added.json()["member_count"] == 3
    members = client.get(f"{url}/members?page_size=2").json()
    assert members["count"] == 3
    assert [m["name"] for m in members["items"]] == ["丙公司", "乙公司"]
    removed = client.delete(
        f"{url}/members", {"customer_ids": [book["c"].pk]}, content_type="application/json"
    )
    assert removed.status_code == 200
    assert removed.json()["member_count"] == 2
    patched = client.patch(url, {"version": 1, "name": "重点客户"}, content_type="application/json")
    assert patched.status_code == 200
    assert (patched.json()["name"], patched.json()["version"]) == ("重点客户", 2)
    assert client.patch(url, {"version": 1, "name": "x"}, content_type="application/json").status_code == 409
    assert client.delete(f"{url}?version=1").status_code == 409
    assert client.delete(f"{url}?version=2").status_code == 204
    assert client.get(url).status_code == 404


def test_api_rule_based_segment(api, account_manager, book):
    client = api(account_manager)
    created = client.post(
        "/api/v1/segments", {"name": "活跃", "rules": {"stage": ["active"]}}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["rules"] == {"stage": ["active"]}
    assert created.json()["member_count"] == 2
    url = f"/api/v1/segments/{created.json()['id']}"
    conflict = client.post(
        f"{url}/members", {"customer_ids": [book["c"].pk]}, content_type="application/json"
    )
    assert conflict.status_code == 409
    bad = client.patch(url, {"version": 1, "rules": {"stage": ["nope"]}}, content_type="application/json")
    assert bad.status_code == 422
    assert list(bad.json()["errors"]) == ["rules.stage"]
    assert bad.json()["detail"] == "The request has invalid fields."


def test_api_bad_input_is_422(api, account_manager, book):
    client = api(account_manager)
    for payload, fields in [
        ({"name": ""}, ["name"]),
        ({"name": "x", "rules": {"colour": "red"}}, ["rules.colour"]),
        ({"name": "x", "kind": "static", "customer_ids": [book["x"].pk]}, ["customer_ids"]),
        ({"name": "x", "kind": "sometimes"}, ["kind"]),
    ]:
        response = client.post("/api/v1/segments", payload, content_type="application/json")
        assert response.status_code == 422, payload
        assert list(response.json()["errors"]) == fields, payload
    segment = segment_create(actor=account_manager, name="s", kind="static")
    empty = client.post(
        f"/api/v1/segments/{segment.pk}/members", {"customer_ids": []}, content_type="application/json"
    )
    assert empty.status_code == 422
    hidden = client.post(
        f"/api/v1/segments/{segment.pk}/members",
        {"customer_ids": [book["x"].pk]},
        content_type="application/json",
    )
    assert hidden.status_code == 422
    assert hidden.json()["errors"] == {"customer_ids": ["Unknown customer."]}
    assert Segment.objects.count() == 1


def test_api_401_403_404(api, account_manager, executive, team_member, book):
    segment = segment_create(actor=account_manager, name="s", kind="static", members=[book["a"]])
    anonymous = Client()
    assert anonymous.get("/api/v1/segments").status_code == 401
    assert anonymous.get(f"/api/v1/segments/{segment.pk}/members").status_code == 401
    viewer = api(executive)  # may see segments, may not change them
    assert viewer.get(f"/api/v1/segments/{segment.pk}").status_code == 200
    assert viewer.post("/api/v1/segments", {"name": "x"}, content_type="application/json").status_code == 403
    assert (
        viewer.patch(
            f"/api/v1/segments/{segment.pk}", {"version": 1, "name": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert viewer.delete(f"/api/v1/segments/{segment.pk}").status_code == 403
    ids = {"customer_ids": [book["b"].pk]}
    assert (
        viewer.post(
            f"/api/v1/segments/{segment.pk}/members", ids, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        viewer.delete(
            f"/api/v1/segments/{segment.pk}/members", ids, content_type="application/json"
        ).status_code
        == 403
    )
    member = api(team_member)  # may not see segments at all
    assert member.get("/api/v1/segments").json()["count"] == 0
    assert member.get(f"/api/v1/segments/{segment.pk}").status_code == 404
    assert member.get(f"/api/v1/segments/{segment.pk}/members").status_code == 404
    assert member.delete(f"/api/v1/segments/{segment.pk}").status_code == 404
    segment.refresh_from_db()
    assert (segment.name, segment.members.count()) == ("s", 1)


def test_api_members_hide_customers_out_of_scope(api, account_manager, other_manager, book):
    segment = segment_create(actor=other_manager, name="混合", kind="static", members=[book["x"]])
    segment_add_members(actor=account_manager, segment=segment, customers=[book["a"]])
    body = api(account_manager).get(f"/api/v1/segments/{segment.pk}/members").json()
    assert [m["name"] for m in body["items"]] == ["甲公司"]
    assert api(account_manager).get(f"/api/v1/segments/{segment.pk}").json()["member_count"] == 1


# --- pages ----------------------------------------------------------------------------------------


def test_segment_list_and_detail_pages(web, account_manager, book, django_assert_max_num_queries):
    owner_rule = segment_create(
        actor=account_manager,
        name="我的活跃大客户",
        rules={
            "stage": ["active", "loyal"],
            "tier": ["key"],
            "owner": account_manager.pk,
            "no_interaction_days": 30,
        },
    )
    static = segment_create(actor=account_manager, name="手选", kind="static", members=[book["b"], book["c"]])
    client = web(account_manager)
    with django_assert_max_num_queries(12):
        page = client.get("/customers/segments/").content.decode()
    assert "我的活跃大客户" in page
    assert 'href="/customers/segments/"' in page
    detail = client.get(f"/customers/segments/{owner_rule.pk}/").content.decode()
    assert "Active, Loyal" in detail
    assert "Key account" in detail
    assert "30 days" in detail
    assert "Am" in detail  # the account manager's display name, not an id
    static_page = client.get(f"/customers/segments/{static.pk}/").content.decode()
    assert "乙公司" in static_page
    assert "丙公司" in static_page
    assert "甲公司" not in static_page


def test_create_segment_page_and_field_errors(web, account_manager, book):
    client = web(account_manager)
    assert client.get("/customers/segments/new/").status_code == 200
    bad = client.post("/customers/segments/new/", {"name": "", "kind": "dynamic", "rule_q": "甲"})
    assert bad.status_code == 200
    assert "This field is required." in bad.content.decode()
    assert 'value="甲"' in bad.content.decode()
    ok = client.post(
        "/customers/segments/new/",
        {"name": "甲类", "kind": "dynamic", "rule_stage": ["active"], "rule_tier": ["key"]},
    )
    assert ok.status_code == 302
    segment = Segment.objects.get()
    assert ok["Location"] == f"/customers/segments/{segment.pk}/"
    assert segment.rules == {"stage": ["active"], "tier": ["key"]}


def test_save_current_customer_filter_as_segment(web, account_manager, book):
    client = web(account_manager)
    listing = client.get("/customers/?stage=active").content.decode()
    assert 'data-testid="save-as-segment"' in listing
    response = client.post(
        "/customers/segments/from-filter/",
        {"stage": "active", "q": "公司", "sort": "name"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    target = response["HX-Redirect"]
    assert target.startswith("/customers/segments/new/?")
    form = client.get(target).content.decode()
    assert 'value="公司"' in form
    assert '<option value="active" selected>' in form
    client.post(target, {"name": "活跃", "kind": "dynamic", "rule_stage": ["active"], "rule_q": "公司"})
    assert Segment.objects.get().rules == {"q": "公司", "stage": ["active"]}


def test_edit_delete_and_membership_pages(web, account_manager, book):
    static = segment_create(actor=account_manager, name="手选", kind="static", members=[book["b"]])
    other = segment_create(actor=account_manager, name="另一个", kind="static")
    client = web(account_manager)
    edit = client.post(
        f"/customers/segments/{static.pk}/edit/", {"name": "手选名单", "kind": "static", "version": 1}
    )
    assert edit.status_code == 302
    stale = client.post(
        f"/customers/segments/{static.pk}/edit/", {"name": "x", "kind": "static", "version": 1}
    )
    assert "changed by someone else" in stale.content.decode()
    picker = client.get(f"/customers/{book['a'].pk}/segments/add/").content.decode()
    assert "另一个" in picker
    assert client.post(f"/customers/{book['a'].pk}/segments/add/", {"segment": other.pk}).status_code == 302
    assert list(other.members.all()) == [book["a"]]
    tab = client.get(f"/customers/{book['a'].pk}/").content.decode()
    assert f"/customers/segments/{other.pk}/" in tab
    removed = client.post(
        f"/customers/segments/{other.pk}/members/{book['a'].pk}/remove/", {"return_to": "customer"}
    )
    assert removed["Location"] == f"/customers/{book['a'].pk}/"
    assert other.members.count() == 0
    assert (
        "Delete the segment 手选名单"
        in client.get(f"/customers/segments/{static.pk}/delete/").content.decode()
    )
    assert client.post(f"/customers/segments/{static.pk}/delete/").status_code == 302
    assert list(Segment.objects.values_list("name", flat=True)) == ["另一个"]


def test_pages_refuse_forbidden_and_out_of_scope(web, executive, team_member, account_manager, book):
    segment = segment_create(actor=account_manager, name="s", kind="static")
    viewer = web(executive)
    assert viewer.get(f"/customers/segments/{segment.pk}/").status_code == 200
    assert viewer.get(f"/customers/segments/{segment.pk}/edit/").status_code == 403
    assert viewer.get("/customers/segments/new/").status_code == 403
    assert web(team_member).get(f"/customers/segments/{segment.pk}/").status_code == 404
    assert web(account_manager).get(f"/customers/{book['x'].pk}/segments/add/").status_code == 404
