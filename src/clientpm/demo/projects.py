"""Deterministic demo projects: for a share of the customers (key accounts get more), projects in
every phase with goals and KPI measurements, feasibility, team, scope, milestones, deliverables,
stakeholders, checklists, gate decisions, and for closed ones the closeout and lessons learned.

Rows go in through ``bulk_create`` and are recorded with ``record_bulk_create``, like the rest of
the demo data; the project services are not used because their gates would refuse the shortcuts.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from faker import Faker

from clientpm.accounts.models import User
from clientpm.core.audit import record_bulk_create
from clientpm.core.codes import allocate
from clientpm.customers.models import Contact, Customer, Tier
from clientpm.demo.plans import generate_plans
from clientpm.demo.resources import generate_resources
from clientpm.projects.models import (
    PHASE_ORDER,
    ChecklistItem,
    Closeout,
    Deliverable,
    DeliverableStatus,
    FeasibilityAssessment,
    GateDecision,
    GateOutcome,
    Goal,
    GoalEvaluation,
    Health,
    KpiMeasurement,
    LessonCategory,
    LessonLearned,
    Milestone,
    MilestoneStatus,
    Phase,
    Project,
    ProjectMember,
    ProjectType,
    RaciAssignment,
    ScopeItem,
    Stakeholder,
)

NAMES = [
    "{region}CRM 实施项目",
    "{region}数字化咨询",
    "{region}年度运维服务",
    "{region}大客户计划",
    "ERP 二期升级",
    "{region}数据平台建设",
]
REGIONS = ["华东区域", "华南区域", "华北区域", "西南区域", "总部"]
GOALS = [
    ("客户满意度在 12 个月内提升 20%", "CSAT", "分", Decimal("70"), Decimal("84"), 365),
    ("6 个月内客户保留率提升 15%", "保留率", "%", Decimal("60"), Decimal("69"), 180),
    ("3 个月内上线新系统并完成员工培训", "培训完成率", "%", Decimal("0"), Decimal("100"), 90),
    ("Cut average ticket resolution time by 30%", "Resolution time", "h", Decimal("20"), Decimal("14"), 240),
]
DELIVERABLES = [
    "需求规格说明书",
    "系统设计方案",
    "配置完成的系统",
    "数据迁移报告",
    "用户培训材料",
    "验收报告",
]
MILESTONES = [("需求确认", 30), ("UAT 通过", 90), ("系统上线", 120)]
ROLES = ["项目经理", "业务分析师", "实施顾问", "开发工程师", "测试工程师"]
LESSONS = [
    (LessonCategory.SCOPE, "需求在 UAT 阶段仍在变化", "返工两周", "需求冻结前组织客户签字确认"),
    (
        LessonCategory.COMMUNICATION,
        "客户 IT 部门未参加周会",
        "接口问题发现较晚",
        "把 IT 负责人列入干系人并每周同步",
    ),
    (
        LessonCategory.SCHEDULE,
        "Data migration took twice the estimate",
        "Go-live slipped by 10 days",
        "Run a trial migration in planning",
    ),
]


def generate_projects(
    *,
    rng: random.Random,
    fake: Faker,
    customers: list[Customer],
    users: list[User],
    managers: list[User],
    anchor: dt.date,
) -> dict[str, int]:
    """Create the demo projects for ``customers`` and return row counts by kind."""
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for c in Contact.objects.filter(customer__in=customers).only("id", "customer_id"):
        contacts[c.customer_id].append(c)
    plan: list[tuple[Customer, dt.date]] = []
    for customer in customers:
        n = (
            rng.randint(2, 5)
            if customer.tier == Tier.KEY_ACCOUNT
            else rng.choices([0, 1, 2], weights=[75, 20, 5])[0]
        )
        plan += [(customer, anchor - dt.timedelta(days=rng.randint(-30, 420))) for _ in range(n)]
    by_year: dict[int, list[int]] = defaultdict(list)
    for i, (_c, start) in enumerate(plan):
        by_year[start.year].append(i)
    codes: dict[int, str] = {}
    for year, indexes in by_year.items():
        for i, number in zip(indexes, allocate(f"project-{year}", len(indexes)), strict=True):
            codes[i] = f"P-{year}-{number:04d}"

    projects = []
    for i, (customer, start) in enumerate(plan):
        days = (anchor - start).days
        phase = (
            Phase.INITIATION
            if days < 20
            else Phase.PLANNING
            if days < 50
            else Phase.EXECUTION
            if days < 200
            else Phase.CLOSING
            if days < 260
            else Phase.CLOSED
        )
        if phase in (Phase.EXECUTION, Phase.PLANNING) and rng.random() < 0.08:
            phase = Phase.ON_HOLD
        health = (
            rng.choices(Health.values, weights=[70, 20, 10])[0] if phase != Phase.CLOSED else Health.GREEN
        )
        projects.append(
            Project(
                code=codes[i],
                customer=customer,
                name=rng.choice(NAMES).format(region=rng.choice(REGIONS)),
                project_type=rng.choice(ProjectType.values),
                manager=rng.choice(managers),
                sponsor=rng.choice(users),
                customer_sponsor=contacts[customer.pk][0] if contacts[customer.pk] else None,
                priority=rng.choice(["low", "medium", "medium", "high", "critical"]),
                phase=phase,
                phase_before_hold=Phase.EXECUTION if phase == Phase.ON_HOLD else "",
                planned_start_date=start,
                planned_finish_date=start + dt.timedelta(days=rng.choice([90, 120, 180, 240])),
                actual_start_date=start + dt.timedelta(days=45) if days >= 50 else None,
                actual_finish_date=start + dt.timedelta(days=255) if phase == Phase.CLOSED else None,
                documents_archived_at=(
                    dt.datetime.combine(start + dt.timedelta(days=250), dt.time(9), tzinfo=dt.UTC)
                    if phase == Phase.CLOSED
                    else None
                ),
                health=health,
                health_reason=""
                if health == Health.GREEN
                else rng.choice(["关键资源不足", "客户需求变更频繁", "Integration delayed"]),
                description=fake.paragraph(nb_sentences=2),
                scope_statement=""
                if phase == Phase.INITIATION and rng.random() < 0.5
                else "为客户实施 CRM 与项目管理平台，覆盖销售、交付与服务三个业务线。",
            )
        )
    Project.objects.bulk_create(projects, batch_size=1000)
    record_bulk_create(None, projects)

    rows: dict[str, list] = defaultdict(list)
    for project in projects:
        passed = PHASE_ORDER.index(project.phase) if project.phase in PHASE_ORDER else 2
        start = project.planned_start_date
        rows["feasibility"].append(
            FeasibilityAssessment(
                project=project,
                market_score=rng.randint(3, 5),
                technical_score=rng.randint(2, 5),
                financial_score=rng.randint(3, 5),
                resource_score=rng.randint(2, 5),
                cost_estimate_amount=Decimal(rng.randrange(200, 3000) * 1000),
                expected_benefit_amount=Decimal(rng.randrange(400, 6000) * 1000),
                recommendation="建议立项",
                decision="go" if passed or rng.random() < 0.5 else "pending",
                decided_by=project.sponsor if passed else None,
                decided_at=dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC) if passed else None,
            )
        )
        members = [ProjectMember(project=project, user=project.manager, project_role=ROLES[0])]
        members += [
            ProjectMember(
                project=project,
                user=u,
                project_role=rng.choice(ROLES[1:]),
                allocation_percent=rng.choice([50, 80, 100]),
            )
            for u in rng.sample([u for u in users if u != project.manager], k=min(3, len(users) - 1))
        ]
        rows["members"] += members
        project.demo_members = members  # type: ignore[attr-defined]
        for statement, metric, unit, baseline, target, horizon in rng.sample(GOALS, k=2):
            goal = Goal(
                project=project,
                statement=statement,
                metric=metric,
                unit=unit,
                baseline_value=baseline,
                target_value=target,
                direction="decrease" if target < baseline else "increase",
                deadline_date=start + dt.timedelta(days=horizon),
                owner=project.manager,
                rationale="续约与口碑的关键指标",
            )
            rows["goals"].append(goal)
            goal.demo_points = [  # type: ignore[attr-defined]
                (
                    start + dt.timedelta(days=30 * k),
                    baseline + (target - baseline) * Decimal(k) / Decimal(rng.choice([5, 6, 8])),
                )
                for k in range(1, 5)
                if start + dt.timedelta(days=30 * k) <= anchor
            ]
        if passed >= 1:
            milestones = [
                Milestone(
                    project=project,
                    name=name,
                    due_date=start + dt.timedelta(days=offset),
                    status=MilestoneStatus.ACHIEVED
                    if start + dt.timedelta(days=offset) < anchor and passed >= 3
                    else MilestoneStatus.PLANNED,
                    achieved_date=start + dt.timedelta(days=offset + rng.randint(-3, 8))
                    if passed >= 3
                    else None,
                )
                for name, offset in MILESTONES
            ]
            rows["milestones"] += milestones
            project.demo_deliverables = [  # type: ignore[attr-defined]
                Deliverable(
                    project=project,
                    name=name,
                    owner=rng.choice(members).user,
                    milestone=milestones[min(k // 2, 2)],
                    due_date=start + dt.timedelta(days=20 * (k + 1)),
                    acceptance_criteria="客户书面确认",
                    status=DeliverableStatus.ACCEPTED
                    if passed >= 3
                    else rng.choice(
                        [
                            DeliverableStatus.PLANNED,
                            DeliverableStatus.IN_PROGRESS,
                            DeliverableStatus.SUBMITTED,
                        ]
                    ),
                    position=k,
                )
                for k, name in enumerate(rng.sample(DELIVERABLES, k=4))
            ]
            rows["deliverables"] += project.demo_deliverables  # type: ignore[attr-defined]
        rows["scope"] += [
            ScopeItem(project=project, kind="in", text="销售线索到回款的全流程", position=0),
            ScopeItem(project=project, kind="out", text="财务总账模块", position=1),
        ]
        rows["checklist"] += [
            ChecklistItem(
                project=project,
                phase=Phase.INITIATION,
                text="项目启动会已召开",
                is_done=passed >= 1,
                position=0,
            ),
            ChecklistItem(
                project=project, phase=Phase.PLANNING, text="项目计划已评审", is_done=passed >= 2, position=0
            ),
        ]
        for contact in contacts[project.customer_id][:2]:
            rows["stakeholders"].append(
                Stakeholder(
                    project=project,
                    contact=contact,
                    role=rng.choice(["业务负责人", "IT 负责人", "最终用户代表"]),
                    influence=rng.randint(1, 5),
                    interest=rng.randint(1, 5),
                    engagement_current=rng.choice(["neutral", "supportive", "resistant"]),
                )
            )
        for k in range(passed if project.phase != Phase.ON_HOLD else 2):
            rows["decisions"].append(
                GateDecision(
                    project=project,
                    from_phase=PHASE_ORDER[k],
                    to_phase=PHASE_ORDER[k + 1],
                    outcome=GateOutcome.PASSED,
                    decided_by=project.manager,
                )
            )
        if project.phase == Phase.CLOSED:
            rows["closeouts"].append(
                Closeout(
                    project=project,
                    overall_rating=rng.randint(3, 5),
                    summary="项目按期交付，客户满意。",
                    evaluated_by=project.manager,
                    evaluated_at=dt.datetime.combine(project.actual_finish_date, dt.time(9), tzinfo=dt.UTC),
                    signoff_contact=project.customer_sponsor,
                    signoff_date=project.actual_finish_date,
                )
            )
            category, what, impact, recommendation = rng.choice(LESSONS)
            rows["lessons"].append(
                LessonLearned(
                    project=project,
                    category=category,
                    what_happened=what,
                    impact=impact,
                    recommendation=recommendation,
                    recorded_by=project.manager,
                )
            )
    for key, model in [
        ("feasibility", FeasibilityAssessment),
        ("members", ProjectMember),
        ("goals", Goal),
        ("milestones", Milestone),
        ("deliverables", Deliverable),
        ("scope", ScopeItem),
        ("checklist", ChecklistItem),
        ("stakeholders", Stakeholder),
        ("decisions", GateDecision),
        ("closeouts", Closeout),
        ("lessons", LessonLearned),
    ]:
        model.objects.bulk_create(rows[key], batch_size=2000)
        record_bulk_create(None, rows[key])
    measurements = [
        KpiMeasurement(goal=goal, measured_on=day, value=value.quantize(Decimal("0.01")), source="月度报表")
        for goal in rows["goals"]
        for day, value in goal.demo_points  # type: ignore[attr-defined]
    ]
    KpiMeasurement.objects.bulk_create(measurements, batch_size=2000)
    evaluations = [
        GoalEvaluation(
            goal=g,
            outcome=rng.choice(["achieved", "partly"]),
            actual_value=g.target_value,
            evaluated_by=g.owner,
        )
        for g in rows["goals"]
        if g.project.phase == Phase.CLOSED
    ]
    GoalEvaluation.objects.bulk_create(evaluations)
    raci = []
    for project in projects:
        members = project.demo_members  # type: ignore[attr-defined]
        for deliverable in getattr(project, "demo_deliverables", []):
            raci.append(RaciAssignment(deliverable=deliverable, member=members[0], role="A"))
            raci.append(RaciAssignment(deliverable=deliverable, member=members[1], role="R"))
            raci += [RaciAssignment(deliverable=deliverable, member=m, role="I") for m in members[2:]]
    RaciAssignment.objects.bulk_create(raci, batch_size=2000)
    return {
        "projects": len(projects),
        "deliverables": len(rows["deliverables"]),
        "goals": len(rows["goals"]),
        **generate_plans(rng=rng, projects=projects, anchor=anchor),
        **generate_resources(rng=rng, projects=projects, users=users),
    }
