"""The campaign's hazard areas and the S9 checklist items: the taxonomy seeded at migration.

Names are data in the bureau's language (Chinese), not UI strings: administrators rename, add or
retire categories in the admin without a release.
"""

# code, name, days for a general hazard, days for a major one, items (code, name)
AREAS = [
    ("fire", "消防安全", 30, 15, [("fire-hydrant", "消防栓无水")]),
    (
        "food",
        "食品和食堂安全",
        15,
        7,
        [
            ("food-samples", "食堂未按规定留样"),
            ("food-mould", "食品霉变"),
        ],
    ),
    ("buildings", "校舍和设施安全", 60, 30, []),
    ("bus-traffic", "校车和交通安全", 15, 7, []),
    (
        "gate-security",
        "门卫和治安防范",
        15,
        7,
        [
            ("gate-registration", "门卫对人员车辆不查验不登记"),
        ],
    ),
    (
        "video",
        "视频监控",
        30,
        15,
        [
            ("video-display", "视频监控显示不全"),
            ("video-black", "视频监控黑屏"),
            ("video-clock", "视频监控时间误差大"),
        ],
    ),
    ("perimeter-alarm", "周界报警", 30, 15, [("perimeter-silent", "周界报警不报警")]),
    ("one-button-alarm", "一键式紧急报警", 15, 7, []),
    ("power-gas", "用电和燃气安全", 30, 15, []),
    ("lab-chemicals", "实验室和危险化学品", 30, 15, []),
    ("water-drowning", "防溺水", 15, 7, []),
    ("other", "其他", 30, 15, []),
]


def seed(HazardCategory):
    """Create the missing categories (idempotent); takes the model so migrations can pass theirs."""
    for order, (code, name, general, major, items) in enumerate(AREAS, start=1):
        area, _ = HazardCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "days_general": general,
                "days_major": major,
                "order": order * 10,
            },
        )
        for sub, (item_code, item_name) in enumerate(items, start=1):
            HazardCategory.objects.get_or_create(
                code=item_code,
                defaults={
                    "name": item_name,
                    "parent": area,
                    "days_general": general,
                    "days_major": major,
                    "order": order * 10 + sub,
                },
            )
