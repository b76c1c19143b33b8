"""Deterministic demo data through the bulk path: departments, users, customers, contacts,
interactions, tags, segments and projects (``demo/projects.py``), in Chinese and English.

Everything is drawn from one ``random.Random(seed)`` and Faker instances seeded from it, and all
times are relative to an ``anchor`` date, so the same seed and anchor give the same data. Rows are
inserted with ``bulk_create`` and recorded in the audit trail with ``record_bulk_create``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.db import transaction
from faker import Faker

from clientpm.accounts import roles
from clientpm.accounts.models import Department, User
from clientpm.core.audit import record_bulk_create
from clientpm.core.codes import allocate
from clientpm.customers.models import (
    BuyingRole,
    Contact,
    Customer,
    CustomerKind,
    CustomerSource,
    EngagementLevel,
    Industry,
    Interaction,
    InteractionKind,
    LifecycleStage,
    Segment,
    SegmentKind,
    SizeBand,
    Tag,
    Tier,
)
from clientpm.customers.normalize import normalize_name
from clientpm.customers.services import CUSTOMER_CODE
from clientpm.customers.validators import credit_code_check_digit
from clientpm.demo.projects import generate_projects

TZ = ZoneInfo("Asia/Shanghai")
CITIES = {
    "11": ["北京"],
    "31": ["上海"],
    "44": ["广州", "深圳", "东莞", "佛山"],
    "32": ["南京", "苏州", "无锡"],
    "33": ["杭州", "宁波", "温州"],
    "37": ["济南", "青岛"],
    "51": ["成都", "绵阳"],
    "42": ["武汉"],
    "50": ["重庆"],
    "35": ["福州", "厦门"],
    "61": ["西安"],
    "12": ["天津"],
}
PROVINCE_WEIGHTS = {
    "31": 14,
    "44": 14,
    "32": 12,
    "33": 12,
    "11": 12,
    "37": 6,
    "51": 6,
    "42": 5,
    "50": 4,
    "35": 4,
    "61": 3,
    "12": 3,
}
TAGS = ["战略客户", "续约风险", "华东重点", "VIP", "Pilot", "政府项目", "海外"]
DEPARTMENTS = [
    ("HQ", "总经办", None),
    ("SALES", "销售部", "HQ"),
    ("SALES-E", "华东区", "SALES"),
    ("SALES-N", "华北区", "SALES"),
    ("SALES-S", "华南区", "SALES"),
    ("DELIVERY", "交付中心", "HQ"),
    ("SUCCESS", "客户成功部", "HQ"),
]
SUMMARIES = [
    "与客户讨论二期实施范围，客户关注数据迁移风险。",
    "季度业务回顾，客户对上线效果基本满意。",
    "拜访信息中心负责人，介绍新版本功能。",
    "电话沟通合同续签条款，等待法务反馈。",
    "Kick-off call with the customer's IT team about the integration plan.",
    "微信确认下周现场培训安排。",
    "客户反馈报表性能问题，已转交交付团队。",
    "Sent the revised proposal and pricing by e-mail.",
]
NEXT_STEPS = [
    "发送报价单",
    "安排技术交流",
    "准备续约方案",
    "Send meeting minutes",
    "回访满意度",
    "确认培训名单",
]


@dataclass
class DemoResult:
    counts: dict[str, int] = field(default_factory=dict)


def _credit_code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    region = "".join(rng.choice("0123456789") for _ in range(6))
    body = "91" + region + "".join(rng.choice(alphabet) for _ in range(9))
    return body + credit_code_check_digit(body)


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def generate(
    *,
    seed: int,
    customers: int,
    users: int,
    anchor: dt.date,
    progress: Callable[[str], None] = lambda phase: None,
) -> DemoResult:
    """Create the demo data set in one transaction and return the row counts."""
    rng = random.Random(seed)
    fake_cn, fake_en = Faker("zh_CN"), Faker("en_US")
    fake_cn.seed_instance(seed)
    fake_en.seed_instance(seed + 1)
    now = dt.datetime.combine(anchor, dt.time(18, 0), tzinfo=TZ)
    result = DemoResult()
    with transaction.atomic():
        progress("departments")
        depts: dict[str, Department] = {}
        for code, name, parent in DEPARTMENTS:
            if Department.objects.filter(code=code).exists():
                depts[code] = Department.objects.get(code=code)
                continue
            dept = Department.objects.create(
                name=name, code=code, parent=depts.get(parent) if parent else None
            )
            dept.path = (depts[parent].path if parent else "/") + f"{dept.pk}/"
            dept.save(update_fields=["path"])
            depts[code] = dept
        record_bulk_create(None, depts.values())

        progress("users")
        plan = [roles.EXECUTIVE, roles.PROJECT_MANAGER, roles.TEAM_MEMBER] + [roles.ACCOUNT_MANAGER] * 4
        new_users = []
        for i in range(users):
            role = plan[i % len(plan)]
            dept = {
                roles.EXECUTIVE: "HQ",
                roles.PROJECT_MANAGER: "DELIVERY",
                roles.TEAM_MEMBER: "SUCCESS",
            }.get(role, rng.choice(["SALES-E", "SALES-N", "SALES-S"]))
            user = User(
                username=f"demo{seed}_{i:03d}",
                display_name=fake_cn.name(),
                department=depts[dept],
                title=str(roles.ROLE_LABELS[role]),
                phone=_mobile(rng),
                email=f"demo{seed}_{i:03d}@example.com",
            )
            user.set_unusable_password()
            user.demo_role = role  # type: ignore[attr-defined]
            new_users.append(user)
        User.objects.bulk_create(new_users)
        created_users = list(User.objects.filter(username__startswith=f"demo{seed}_").order_by("username"))
        groups = {g.name: g for g in Group.objects.all()}
        role_of = {u.username: u.demo_role for u in new_users}  # type: ignore[attr-defined]
        User.groups.through.objects.bulk_create(
            [
                User.groups.through(user_id=u.pk, group_id=groups[role_of[u.username]].pk)
                for u in created_users
            ]
        )
        record_bulk_create(None, created_users)
        managers = [u for u in created_users if role_of[u.username] == roles.ACCOUNT_MANAGER] or created_users

        progress("customers")
        tags = []
        for name in TAGS:
            tag, _ = Tag.objects.get_or_create(name=name)
            tags.append(tag)
        numbers = allocate(CUSTOMER_CODE[0], customers)
        rows = []
        for number in numbers:
            english = rng.random() < 0.15
            individual = rng.random() < 0.05
            name = (
                fake_en.name()
                if individual and english
                else fake_cn.name()
                if individual
                else fake_en.company()
                if english
                else fake_cn.company()
            )
            province = rng.choices(list(PROVINCE_WEIGHTS), weights=list(PROVINCE_WEIGHTS.values()))[0]
            tier = rng.choices([Tier.KEY_ACCOUNT, Tier.STANDARD, Tier.SMALL], weights=[6, 54, 40])[0]
            created = now - dt.timedelta(days=rng.randint(30, 900))
            rows.append(
                Customer(
                    code=CUSTOMER_CODE[1].format(number),
                    kind=CustomerKind.INDIVIDUAL if individual else CustomerKind.COMPANY,
                    name=name,
                    name_normalized=normalize_name(name),
                    short_name=name[:4] if not english else "",
                    credit_code="" if individual else _credit_code(rng),
                    industry=rng.choice(Industry.values),
                    province=province,
                    city=rng.choice(CITIES[province]),
                    address=fake_cn.street_address(),
                    website=f"https://www.{fake_en.domain_word()}{number}.com",
                    phone=_mobile(rng),
                    email=f"info{number}@{fake_en.domain_name()}",
                    size_band=rng.choice(SizeBand.values),
                    source=rng.choice(CustomerSource.values),
                    lifecycle_stage=rng.choices(LifecycleStage.values, weights=[15, 12, 40, 15, 12, 6])[0],
                    tier=tier,
                    owner=rng.choice(managers),
                    notes="",
                )
            )
            rows[-1].demo_created = created  # type: ignore[attr-defined]
        Customer.objects.bulk_create(rows, batch_size=1000)
        saved = list(Customer.objects.filter(code__in=[r.code for r in rows]).order_by("code"))
        Customer.tags.through.objects.bulk_create(
            [
                Customer.tags.through(customer_id=c.pk, tag_id=t.pk)
                for c in saved
                for t in rng.sample(tags, k=rng.choices([0, 1, 2], weights=[50, 35, 15])[0])
            ],
            batch_size=2000,
        )
        record_bulk_create(None, saved)

        progress("contacts")
        contacts = []
        for c in saved:
            for j in range(rng.choices([1, 2, 3, 4, 6], weights=[25, 30, 25, 15, 5])[0]):
                contacts.append(
                    Contact(
                        customer=c,
                        name=fake_cn.name(),
                        title=rng.choice(["总经理", "IT 总监", "采购经理", "项目经理", "CFO"]),
                        mobile=_mobile(rng),
                        email=f"c{c.pk}_{j}@{fake_en.domain_name()}",
                        wechat_id=f"wx_{rng.randrange(10**8):08d}",
                        buying_role=rng.choice(BuyingRole.values),
                        is_primary=j == 0,
                        engagement_level=rng.choice(EngagementLevel.values),
                    )
                )
        Contact.objects.bulk_create(contacts, batch_size=2000)
        record_bulk_create(None, contacts)

        progress("interactions")
        interactions = []
        for c in saved:
            count = (
                min(int(rng.paretovariate(1.3)) - 1, 30) if c.tier != Tier.KEY_ACCOUNT else rng.randint(5, 30)
            )
            for _k in range(max(count, 0)):
                at = now - dt.timedelta(days=rng.randint(0, 540), minutes=rng.randint(0, 600))
                follow = rng.random() < 0.3
                due = (at + dt.timedelta(days=rng.randint(1, 21))).date() if follow else None
                interactions.append(
                    Interaction(
                        customer=c,
                        kind=rng.choice(InteractionKind.values),
                        occurred_at=at,
                        owner_id=c.owner_id,
                        summary=rng.choice(SUMMARIES),
                        outcome=rng.choice(["", "达成共识", "需要内部评审", "Positive"]),
                        next_step=rng.choice(NEXT_STEPS) if follow else "",
                        follow_up_date=due,
                        follow_up_done=bool(
                            due and due < anchor - dt.timedelta(days=7) and rng.random() < 0.8
                        ),
                    )
                )
        Interaction.objects.bulk_create(interactions, batch_size=2000)
        record_bulk_create(None, interactions)
        latest: dict[int, dt.datetime] = {}
        for i in interactions:
            if i.customer_id not in latest or i.occurred_at > latest[i.customer_id]:
                latest[i.customer_id] = i.occurred_at
        for c in saved:
            c.last_interaction_at = latest.get(c.pk)
        Customer.objects.bulk_update(saved, ["last_interaction_at"], batch_size=1000)

        progress("segments")
        segments = [
            Segment(
                name="华东大客户",
                kind=SegmentKind.DYNAMIC,
                rules={"tier": ["key"], "province": ["31", "32", "33"]},
            ),
            Segment(
                name="沉睡大客户（60 天未跟进）",
                kind=SegmentKind.DYNAMIC,
                rules={"tier": ["key"], "no_interaction_days": 60},
            ),
            Segment(name="Churn risk", kind=SegmentKind.DYNAMIC, rules={"stage": ["dormant", "churned"]}),
            Segment(name="年度客户大会邀请名单", kind=SegmentKind.STATIC),
        ]
        Segment.objects.bulk_create(segments)
        segments = list(Segment.objects.filter(name__in=[s.name for s in segments]).order_by("pk"))
        static = next(s for s in segments if s.kind == SegmentKind.STATIC)
        static.members.set(rng.sample(saved, k=min(25, len(saved))))
        record_bulk_create(None, segments)

        progress("projects")
        pms = [u for u in created_users if role_of[u.username] == roles.PROJECT_MANAGER] or created_users
        project_counts = generate_projects(
            rng=rng, fake=fake_cn, customers=saved, users=created_users, managers=pms, anchor=anchor
        )
    result.counts = {
        "users": len(created_users),
        "customers": len(saved),
        "contacts": len(contacts),
        "interactions": len(interactions),
        "segments": len(segments),
        **project_counts,
    }
    return result
