"""The RACI matrix (责任分配矩阵): per-row validation (exactly one A, at least one R) refusing the whole
save, audit per cell, ids of another project refused, the editable grid on the Team tab and its
query count."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.core.errors import ConflictError
from clientpm.core.models import ChangeRecord
from clientpm.customers.services import customer_create
from clientpm.projects.models import RaciAssignment
from clientpm.projects.queries.team import raci_matrix
from clientpm.projects.services.lifecycle import project_transition
from clientpm.projects.services.projects import project_create
from clientpm.projects.services.scope import deliverable_create
from clientpm.projects.services.team import member_add, raci_set

HTMX = {"HTTP_HX_REQUEST": "true"}


def person(username, role=roles.TEAM_MEMBER):
    return user_create(
        actor=None, username=username, password="pw-Secret-123", roles=[role], display_name=username.title()
    )


def raci_records():
    return ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(RaciAssignment))


def grid(project):
    return raci_matrix(project=project).letters


@pytest.fixture
def pm(db):
    return person("pm", roles.PROJECT_MANAGER)


@pytest.fixture
def project(pm, account_manager):
    customer = customer_create(actor=account_manager, name="华东医药集团", owner=account_manager)
    return project_create(actor=pm, customer=customer, name="华东区域实施项目", manager=pm)


@pytest.fixture
def team(pm, project):
    """Three deliverables (rows) and three members (columns), the last an open role."""
    d = [deliverable_create(actor=pm, project=project, name=n) for n in ("需求说明书", "Design", "Training")]
    alice, bob = person("alice"), person("bob")
    m = [
        member_add(actor=pm, project=project, user=alice, project_role="Developer"),
        member_add(actor=pm, project=project, user=bob, project_role="Tester"),
        member_add(actor=pm, project=project, project_role="Trainer"),
    ]
    return d, m


def refused(pm, project, cells):
    with pytest.raises(ValidationError) as info:
        raci_set(actor=pm, project=project, cells=cells)
    return info.value.message_dict


# --- validation -------------------------------------------------------------------------------------


def test_a_valid_grid_is_saved_with_one_change_record_per_cell(pm, project, team):
    (d1, d2, _d3), (a, b, _open) = team
    changed = raci_set(
        actor=pm,
        project=project,
        cells={(d1.pk, a.pk): "A", (d1.pk, b.pk): "R", (d2.pk, a.pk): "R", (d2.pk, b.pk): "a"},
    )
    assert changed == 4
    assert grid(project) == {(d1.pk, a.pk): "A", (d1.pk, b.pk): "R", (d2.pk, a.pk): "R", (d2.pk, b.pk): "A"}
    records = list(raci_records())
    assert len(records) == 4
    assert {r.action for r in records} == {"create"}
    assert {r.changes["role"][1] for r in records} == {"A", "R"}
    assert all(r.actor == pm for r in records)


def test_a_row_without_accountable_is_refused_by_name(pm, project, team):
    (d1, *_), (a, b, _open) = team
    errors = refused(pm, project, {(d1.pk, a.pk): "R", (d1.pk, b.pk): "C"})
    assert errors == {"raci": ["Deliverable “需求说明书”: no Accountable (A); exactly one is needed."]}


def test_a_row_with_two_accountables_is_refused_by_name(pm, project, team):
    (_d1, d2, _d3), (a, b, open_role) = team
    errors = refused(pm, project, {(d2.pk, a.pk): "A", (d2.pk, b.pk): "A", (d2.pk, open_role.pk): "R"})
    assert errors == {"raci": ["Deliverable “Design”: 2 Accountable (A); exactly one is allowed."]}


def test_a_row_without_responsible_is_refused_by_name(pm, project, team):
    (*_, d3), (a, b, _open) = team
    errors = refused(pm, project, {(d3.pk, a.pk): "A", (d3.pk, b.pk): "I"})
    assert errors == {"raci": ["Deliverable “Training”: no Responsible (R); at least one is needed."]}


def test_a_failing_save_lists_every_bad_row_and_writes_nothing(pm, project, team):
    (d1, d2, d3), (a, b, open_role) = team
    raci_set(actor=pm, project=project, cells={(d1.pk, a.pk): "A", (d1.pk, b.pk): "R"})
    before, records_before = grid(project), raci_records().count()
    errors = refused(
        pm,
        project,
        {
            (d1.pk, a.pk): "R",  # d1 becomes R, R: no A
            (d1.pk, b.pk): "R",
            (d2.pk, a.pk): "A",  # d2 is valid: written only if everything is
            (d2.pk, b.pk): "R",
            (d3.pk, a.pk): "A",  # d3: two As and no R
            (d3.pk, open_role.pk): "A",
        },
    )
    assert errors == {
        "raci": [
            "Deliverable “需求说明书”: no Accountable (A); exactly one is needed.",
            "Deliverable “Training”: 2 Accountable (A); exactly one is allowed; "
            "no Responsible (R); at least one is needed.",
        ]
    }
    assert grid(project) == before
    assert raci_records().count() == records_before


def test_rows_without_letters_are_allowed_and_flagged_not_assigned(pm, project, team):
    (d1, _d2, _d3), (a, b, _open) = team
    raci_set(actor=pm, project=project, cells={(d1.pk, a.pk): "A", (d1.pk, b.pk): "R"})
    matrix = raci_matrix(project=project)
    assert [(r.deliverable.name, r.assigned, r.problems) for r in matrix.rows] == [
        ("需求说明书", True, []),
        ("Design", False, []),
        ("Training", False, []),
    ]
    # clearing every letter of a row is allowed too
    raci_set(actor=pm, project=project, cells={(d1.pk, a.pk): None, (d1.pk, b.pk): ""})
    assert grid(project) == {}
    assert not raci_matrix(project=project).rows[0].assigned


def test_changed_cells_only_are_written_and_audited_as_update_or_delete(pm, project, team):
    (d1, _d2, _d3), (a, b, open_role) = team
    raci_set(
        actor=pm, project=project, cells={(d1.pk, a.pk): "A", (d1.pk, b.pk): "R", (d1.pk, open_role.pk): "C"}
    )
    first = raci_records().count()
    changed = raci_set(
        actor=pm,
        project=project,
        cells={(d1.pk, a.pk): "A", (d1.pk, b.pk): "R", (d1.pk, open_role.pk): "I"},  # whole row re-sent
    )
    assert changed == 1
    raci_set(actor=pm, project=project, cells={(d1.pk, open_role.pk): None})
    later = list(raci_records().order_by("id")[first:])
    assert [(r.action, r.changes["role"]) for r in later] == [("update", ["C", "I"]), ("delete", ["I", None])]
    assert grid(project) == {(d1.pk, a.pk): "A", (d1.pk, b.pk): "R"}


def test_deliverables_members_and_letters_must_belong_to_the_project(pm, project, team, account_manager):
    (d1, *_), (a, *_) = team
    other = project_create(actor=pm, customer=project.customer, name="二期")
    foreign_d = deliverable_create(actor=pm, project=other, name="外部交付物")
    foreign_m = member_add(actor=pm, project=other, user=person("carol"), project_role="Consultant")
    errors = refused(pm, project, {(foreign_d.pk, a.pk): "A", (d1.pk, foreign_m.pk): "R"})
    assert errors == {
        "cells": [
            f"Not a deliverable of this project: {foreign_d.pk}",
            f"Not a member of this project: {foreign_m.pk}",
        ]
    }
    assert refused(pm, project, {(d1.pk, a.pk): "X"}) == {
        "cells": ["Unknown RACI letter: X (use R, A, C or I)."]
    }
    assert RaciAssignment.objects.count() == 0


def test_a_cancelled_project_refuses_raci_changes(pm, project, team):
    (d1, *_), (a, b, _open) = team
    project_transition(
        actor=pm, project=project, to_phase="cancelled", version=project.version, reason="客户取消"
    )
    with pytest.raises(ConflictError):
        raci_set(actor=pm, project=project, cells={(d1.pk, a.pk): "A", (d1.pk, b.pk): "R"})
    assert RaciAssignment.objects.count() == 0


# --- the grid on the Team tab -----------------------------------------------------------------------


def cell(d, m):
    return f"cell-{d.pk}-{m.pk}"


def grid_post(team, letters, shown=None):
    """The grid form as the browser sends it: every select, and the letter each showed (initial)."""
    (ds, ms) = team
    shown = shown or {}
    data = {}
    for d in ds:
        for m in ms:
            data[cell(d, m)] = letters.get((d, m), "")
            data["initial-" + cell(d, m)] = shown.get((d, m), "")
    return data


def test_the_tab_shows_one_select_per_cell_and_flags_unassigned_rows(web, pm, project, team):
    (d1, _d2, _d3), (a, b, _o) = team
    raci_set(actor=pm, project=project, cells={(d1.pk, a.pk): "A", (d1.pk, b.pk): "R"})
    response = web(pm).get(f"/projects/{project.pk}/team/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # an HTMX fragment, no base page
    assert html.count('<select name="cell-') == 9
    assert html.count('data-testid="raci-unassigned"') == 2  # Design and Training
    assert f'name="{cell(d1, a)}"' in html


def test_saving_the_grid_through_htmx_writes_the_changed_cells(web, pm, project, team):
    (d1, d2, _d3), (a, b, o) = team
    letters = {(d1, a): "A", (d1, b): "R", (d2, o): "R", (d2, b): "A"}
    response = web(pm).post(f"/projects/{project.pk}/team/raci/", grid_post(team, letters), **HTMX)
    assert response.status_code == 200
    assert 'data-testid="raci-saved"' in response.content.decode()
    assert "4 cells changed" in response.content.decode()
    assert grid(project) == {(d.pk, m.pk): v for (d, m), v in letters.items()}


def test_a_refused_grid_lists_the_bad_rows_keeps_the_typed_letters_and_saves_nothing(web, pm, project, team):
    (d1, d2, d3), (a, b, o) = team
    letters = {(d1, a): "A", (d1, b): "R", (d2, a): "R", (d3, a): "A", (d3, b): "A", (d3, o): "R"}
    response = web(pm).post(f"/projects/{project.pk}/team/raci/", grid_post(team, letters), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in html
    assert "Deliverable “Design”: no Accountable (A); exactly one is needed." in html
    assert "Deliverable “Training”: 2 Accountable (A); exactly one is allowed." in html
    assert "需求说明书”:" not in html  # the valid row is not listed
    # the letters typed are still selected
    assert f'<select name="{cell(d3, b)}"' in html
    selected = html.split(f'name="{cell(d3, b)}"')[1].split("</select>")[0]
    assert '<option value="A" selected>' in selected
    assert RaciAssignment.objects.count() == 0


def test_a_colleagues_concurrent_change_of_another_cell_survives_a_grid_save(web, pm, project, team):
    (d1, d2, _d3), (a, b, o) = team
    shown = {}
    # a colleague fills row d2 after the grid was displayed (empty)
    raci_set(actor=pm, project=project, cells={(d2.pk, a.pk): "A", (d2.pk, b.pk): "R"})
    letters = {(d1, a): "A", (d1, o): "R"}  # the user only touched row d1
    web(pm).post(f"/projects/{project.pk}/team/raci/", grid_post(team, letters, shown), **HTMX)
    assert grid(project) == {
        (d1.pk, a.pk): "A",
        (d1.pk, o.pk): "R",
        (d2.pk, a.pk): "A",
        (d2.pk, b.pk): "R",
    }


def test_saving_without_htmx_redirects_back_to_the_team_tab(web, pm, project, team):
    (d1, *_), (a, b, _o) = team
    response = web(pm).post(
        f"/projects/{project.pk}/team/raci/", grid_post(team, {(d1, a): "A", (d1, b): "R"})
    )
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/#tab-team"
    refused_page = web(pm).post(f"/projects/{project.pk}/team/raci/", grid_post(team, {(d1, a): "R"}))
    assert refused_page.status_code == 200
    assert "<html" in refused_page.content.decode()
    assert "Deliverable “需求说明书”: no Accountable (A)" in refused_page.content.decode()


def test_a_team_member_sees_the_matrix_read_only_and_cannot_post_it(web, pm, project, team, team_member):
    (d1, *_), (a, b, _o) = team
    raci_set(actor=pm, project=project, cells={(d1.pk, a.pk): "A", (d1.pk, b.pk): "R"})
    member_add(actor=pm, project=project, user=team_member, project_role="Consultant")
    client = web(team_member)
    html = client.get(f"/projects/{project.pk}/team/").content.decode()
    assert "<select" not in html
    assert 'data-testid="raci-grid"' in html
    response = client.post(f"/projects/{project.pk}/team/raci/", grid_post(team, {(d1, a): "R"}), **HTMX)
    assert response.status_code == 403
    assert grid(project)[(d1.pk, a.pk)] == "A"


def test_the_grid_query_count_does_not_grow_with_rows_and_columns(
    web, pm, project, django_assert_max_num_queries
):
    client = web(pm)
    url = f"/projects/{project.pk}/team/"

    def add(rows, columns, tag):
        ds = [deliverable_create(actor=pm, project=project, name=f"{tag}-D{i}") for i in range(rows)]
        ms = [
            member_add(actor=pm, project=project, user=person(f"{tag}-u{j}"), project_role="Developer")
            for j in range(columns)
        ]
        cells = {(d.pk, ms[0].pk): "A" for d in ds} | {(d.pk, m.pk): "R" for d in ds for m in ms[1:]}
        raci_set(actor=pm, project=project, cells=cells)

    add(1, 2, "small")
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add(8, 6, "big")  # 9 rows x 8 columns
    # session, user, project in scope, 2 x permissions, members, stakeholders, deliverables, cells
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('<select name="cell-') == 9 * 8
    assert len(small.captured_queries) <= 9


def test_a_refused_grid_shows_the_users_changes_over_a_colleagues_newer_letters(web, pm, project, team):
    (d1, d2, _d3), (a, b, o) = team
    # the user saw an empty grid; meanwhile a colleague filled row d2
    raci_set(actor=pm, project=project, cells={(d2.pk, a.pk): "A", (d2.pk, b.pk): "R"})
    html = (
        web(pm)
        .post(f"/projects/{project.pk}/team/raci/", grid_post(team, {(d1, o): "C"}), **HTMX)
        .content.decode()
    )
    assert "Deliverable “需求说明书”: no Accountable (A)" in html

    def shown(d, m):
        select = html.split(f'<select name="{cell(d, m)}"')[1].split("</select>")[0]
        return (
            select.split(" selected>")[0].rsplit('value="', 1)[1].rstrip('"')
            if " selected>" in select
            else ""
        )

    def initial(d, m):
        return html.split(f'name="initial-{cell(d, m)}"')[1].split(">")[0]

    assert (shown(d1, o), shown(d2, a), shown(d2, b)) == ("C", "A", "R")
    assert 'value="A"' in initial(d2, a)  # the next save compares with what is stored now
    assert grid(project) == {(d2.pk, a.pk): "A", (d2.pk, b.pk): "R"}


def test_an_unknown_letter_in_the_grid_is_reported_and_nothing_saved(web, pm, project, team):
    (d1, _d2, _d3), (a, b, _o) = team
    data = grid_post(team, {(d1, a): "A", (d1, b): "Z"})
    html = web(pm).post(f"/projects/{project.pk}/team/raci/", data, **HTMX).content.decode()
    assert "需求说明书 · Bob (Tester): Select a valid choice. Z is not one of the available choices." in html
    assert RaciAssignment.objects.count() == 0
