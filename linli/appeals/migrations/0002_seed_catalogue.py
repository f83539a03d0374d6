"""Seed the category tree and the default time limits. Both stay editable in /admin/;
this runs once and never overwrites what an operator changed (get_or_create by code)."""

from django.db import migrations

# (code, name, keywords, children)
CATEGORIES = [
    (
        "sanitation",
        "市容环境",
        "垃圾 卫生 清运 乱堆 乱放 污水 异味 绿化 杂物",
        [
            ("garbage", "垃圾清运", "垃圾 清运 垃圾桶 满溢 异味"),
            ("clutter", "乱堆乱放", "乱堆 乱放 杂物 堆放 占用"),
            ("greening", "绿化养护", "绿化 树木 草坪 修剪 枯树"),
        ],
    ),
    (
        "property",
        "物业管理",
        "物业 保洁 门禁 电梯 维修 收费 管道",
        [
            ("elevator", "电梯故障", "电梯 困人 停运 故障"),
            ("leak", "漏水渗水", "漏水 渗水 管道 水管 屋顶"),
        ],
    ),
    ("fire_lane", "消防通道", "消防 通道 堵塞 占用 飞线 充电 电动车", []),
    ("stair_lights", "楼道照明", "楼道 照明 灯 廊灯 灯泡 声控 黑", []),
    ("parking", "停车", "停车 车位 占道 车辆 充电桩 乱停", []),
    ("noise", "噪音", "噪音 噪声 扰民 装修 广场舞 深夜", []),
    ("neighbour_dispute", "邻里纠纷", "纠纷 矛盾 邻居 吵架 争执 调解", []),
    ("assistance", "救助帮扶", "低保 救助 困难 补助 残疾 帮扶 临时救助", []),
    ("elderly_care", "养老服务", "老人 养老 独居 助餐 代缴 照护 高龄", []),
    ("utilities", "水电气暖", "停水 停电 燃气 暖气 供暖 水压", []),
    ("safety", "安全隐患", "隐患 安全 高空 坠物 井盖 破损 危险", []),
    ("other", "其他", "", []),
]

# (category code or None for the default, urgency, response amount, unit, handle amount, unit)
TIME_LIMITS = [
    (None, "normal", 8, "hours", 5, "days"),
    (None, "urgent", 2, "hours", 2, "days"),
    (None, "critical", 1, "hours", 8, "hours"),
    ("fire_lane", "normal", 4, "hours", 2, "days"),
    ("fire_lane", "urgent", 1, "hours", 8, "hours"),
    ("stair_lights", "normal", 8, "hours", 3, "days"),
    ("elevator", "normal", 2, "hours", 1, "days"),
    ("utilities", "normal", 4, "hours", 2, "days"),
    ("assistance", "normal", 8, "hours", 10, "days"),
    ("neighbour_dispute", "normal", 8, "hours", 10, "days"),
]


# Private matters: never on the public board or in Open311's public list.
PRIVATE = {"neighbour_dispute", "assistance", "elderly_care"}


def seed(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    TimeLimit = apps.get_model("appeals", "TimeLimit")
    sort = 0
    for code, name, keywords, children in CATEGORIES:
        sort += 10
        parent, _ = Category.objects.get_or_create(
            code=code,
            defaults={"name": name, "keywords": keywords, "sort": sort, "public": code not in PRIVATE},
        )
        for child_sort, (child_code, child_name, child_keywords) in enumerate(children, start=1):
            Category.objects.get_or_create(
                code=child_code,
                defaults={
                    "name": child_name,
                    "keywords": child_keywords,
                    "sort": child_sort,
                    "parent": parent,
                },
            )
    for code, urgency, r_amount, r_unit, h_amount, h_unit in TIME_LIMITS:
        category = Category.objects.get(code=code) if code else None
        if TimeLimit.objects.filter(category=category, urgency=urgency).exists():
            continue
        TimeLimit.objects.create(
            category=category,
            urgency=urgency,
            response_amount=r_amount,
            response_unit=r_unit,
            handle_amount=h_amount,
            handle_unit=h_unit,
        )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
