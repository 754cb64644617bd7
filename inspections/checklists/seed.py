"""The campaign's checklist (2019 校园和校车安全专项整治), version 1.

Every S9 weakness and S16 "three defences" demand of the seed is one item (DIGEST.md), plus the
S15 "five implementations" of hazard rectification and the key areas the city checks (gate,
canteen, fire, school bus, dormitory). Texts are data in the bureau's language, like the hazard
taxonomy; the city's administrators edit them on the checklist pages (a new version once used).

Item codes are stable across versions; the S9/S16 points are:

- S9: ``video-display``, ``video-black``, ``video-clock``, ``perimeter-alarm``,
  ``gate-people``, ``gate-vehicles``, ``fire-hydrant``, ``food-samples``, ``food-mould``,
  ``food-expired``
- S16: ``guards-on-duty``, ``guards-full-time``, ``alarm-police``, ``alarm-live-test``,
  ``video-police``, and the school bus: ``bus-vehicle``, ``bus-driver``, ``bus-escort``,
  ``bus-seats``
"""

from django.db import transaction

from inspections.checklists.content import normal_content, write_content
from inspections.models import ChecklistTemplate, ChecklistVersion

CODE = "campaign-2019"
NAME = "校园和校车安全专项整治检查表（2019）"

S9_ITEMS = (
    "video-display",
    "video-black",
    "video-clock",
    "perimeter-alarm",
    "gate-people",
    "gate-vehicles",
    "fire-hydrant",
    "food-samples",
    "food-mould",
    "food-expired",
)
S16_ITEMS = (
    "guards-on-duty",
    "guards-full-time",
    "alarm-police",
    "alarm-live-test",
    "video-police",
    "bus-vehicle",
    "bus-driver",
    "bus-escort",
    "bus-seats",
)
S15_ITEMS = (
    "five-responsibility",
    "five-measures",
    "five-funds",
    "five-deadline",
    "five-plan",
)

P, MIN, MAX = "pass_fail", "min_number", "max_number"
G, M = "general", "major"

# (code, text, hint, answer type, limit, limit rule, unit, weight, critical, category, grade)
# fmt: off
SECTIONS = [
    ("human", "人防", "human", [
        ("guards-on-duty", "专职保安在岗人数达到学校规模要求",
         "现场清点在岗保安人数，与学校应配人数比较",
         MIN, None, "guards_required", "人", 3, True, "gate-security", M),
        ("guards-full-time", "保安为专职人员，持证上岗",
         "查看保安员证和劳动合同，不得由教师或临时人员兼任",
         P, None, "fixed", "", 2, False, "gate-security", G),
        ("duty-leader", "校领导带班、教师值班制度落实，值班记录完整",
         "查看当日带班值班安排和值班记录",
         P, None, "fixed", "", 1, False, "gate-security", G),
        ("campus-patrol", "校园安全巡查有记录，发现问题及时处置", "抽查近一周巡查记录",
         P, None, "fixed", "", 1, False, "other", G),
    ]),
    ("physical", "物防", "physical", [
        ("guard-equipment", "门卫室配备防暴器械（钢叉、盾牌、警棍、防割手套等）",
         "现场查看器械是否齐全、可用",
         P, None, "fixed", "", 2, False, "gate-security", G),
        ("gate-barrier", "校门口设置防冲撞设施，上下学时段启用", "查看硬质隔离设施是否到位",
         P, None, "fixed", "", 2, False, "gate-security", G),
        ("perimeter-fence", "围墙（栅栏）完好，无缺口、无攀爬点", "沿周界抽查",
         P, None, "fixed", "", 1, False, "buildings", G),
    ]),
    ("technical", "技防", "technical", [
        ("video-display", "视频监控画面全部显示，无缺失", "在监控室逐路查看，记录不显示的路数",
         P, None, "fixed", "", 2, True, "video-display", G),
        ("video-black", "视频监控无黑屏", "逐路查看，有黑屏即不合格",
         P, None, "fixed", "", 2, True, "video-black", G),
        ("video-clock", "视频监控时间与北京时间误差", "对照标准时间，填写误差分钟数",
         MAX, "5", "fixed", "分钟", 1, False, "video-clock", G),
        ("video-police", "视频监控与公安机关联网", "查看联网平台或公安确认记录",
         P, None, "fixed", "", 3, True, "video", M),
        ("video-retention", "监控录像保存不少于30天", "回放30天前的录像",
         P, None, "fixed", "", 1, False, "video", G),
        ("perimeter-alarm", "周界报警现场测试能正常报警", "现场触发周界报警，监控室须有声光报警",
         P, None, "fixed", "", 2, True, "perimeter-silent", M),
        ("alarm-police", "一键式紧急报警与公安机关联网", "查看联网记录",
         P, None, "fixed", "", 3, True, "one-button-alarm", M),
        ("alarm-live-test", "一键式紧急报警现场测试，公安机关接警",
         "现场按下报警按钮（事先与公安确认测试），记录接警回复时间",
         P, None, "fixed", "", 3, True, "one-button-alarm", M),
    ]),
    ("gate", "门卫", "area", [
        ("gate-people", "门卫对外来人员查验证件并登记", "以检查组身份进门，看是否查验登记",
         P, None, "fixed", "", 2, True, "gate-registration", G),
        ("gate-vehicles", "门卫对进出车辆查验并登记", "查看车辆登记簿",
         P, None, "fixed", "", 2, False, "gate-registration", G),
        ("gate-closed", "上课期间校门关闭，实行封闭管理", "",
         P, None, "fixed", "", 1, False, "gate-security", G),
    ]),
    ("canteen", "食堂", "area", [
        ("food-samples", "食堂按规定留样48小时，每样不少于125克", "查看留样柜和留样记录",
         P, None, "fixed", "", 3, True, "food-samples", M),
        ("food-mould", "无霉变食品", "查看库房和操作间",
         P, None, "fixed", "", 3, True, "food-mould", M),
        ("food-expired", "无过期食品和原料", "查看库房原料保质期",
         P, None, "fixed", "", 2, True, "food", G),
        ("food-staff-health", "从业人员持有效健康证明", "抽查健康证",
         P, None, "fixed", "", 1, False, "food", G),
        ("food-gas", "燃气管道、阀门完好，安装燃气泄漏报警装置", "",
         P, None, "fixed", "", 2, False, "power-gas", G),
    ]),
    ("fire", "消防", "area", [
        ("fire-hydrant", "消防栓有水，现场放水测试压力正常",
         "打开最不利点消防栓放水，压力表读数正常",
         P, None, "fixed", "", 3, True, "fire-hydrant", M),
        ("fire-extinguishers", "灭火器在有效期内，压力正常", "抽查各楼层灭火器",
         P, None, "fixed", "", 1, False, "fire", G),
        ("fire-exits", "疏散通道畅通，安全出口无锁闭", "",
         P, None, "fixed", "", 2, True, "fire", M),
        ("fire-lighting", "应急照明和疏散指示标志完好", "",
         P, None, "fixed", "", 1, False, "fire", G),
        ("power-wiring", "无私拉乱接电线，配电房（箱）上锁", "",
         P, None, "fixed", "", 1, False, "power-gas", G),
    ]),
    ("school-bus", "校车", "area", [
        ("bus-vehicle", "校车车况良好，年检合格，标牌齐全", "查看行驶证、检验合格标志和校车标牌",
         P, None, "fixed", "", 3, True, "bus-traffic", M),
        ("bus-driver", "校车驾驶人持有效校车驾驶资格", "查验驾驶证和校车驾驶资格",
         P, None, "fixed", "", 3, True, "bus-traffic", M),
        ("bus-escort", "每车配备随车照管人员", "查看照管人员名单和签到",
         P, None, "fixed", "", 2, False, "bus-traffic", G),
        ("bus-seats", "不超员，每人一座，安全带齐全", "核对核载人数和座位",
         P, None, "fixed", "", 3, True, "bus-traffic", M),
    ]),
    ("dormitory", "宿舍", "area", [
        ("dorm-night-duty", "宿舍夜间有专人值班，查寝记录完整", "",
         P, None, "fixed", "", 2, False, "gate-security", G),
        ("dorm-exits", "宿舍安全出口畅通，窗户防盗网留有逃生口", "",
         P, None, "fixed", "", 2, True, "fire", M),
        ("dorm-appliances", "宿舍无违规使用大功率电器", "抽查宿舍",
         P, None, "fixed", "", 1, False, "power-gas", G),
    ]),
    ("five-implementations", "隐患整改五落实", "area", [
        ("five-responsibility", "每项隐患落实整改责任人", "抽查隐患台账",
         P, None, "fixed", "", 1, False, "other", G),
        ("five-measures", "每项隐患落实整改措施", "",
         P, None, "fixed", "", 1, False, "other", G),
        ("five-funds", "每项隐患落实整改资金", "",
         P, None, "fixed", "", 1, False, "other", G),
        ("five-deadline", "每项隐患落实整改时限，按期整改", "",
         P, None, "fixed", "", 1, False, "other", G),
        ("five-plan", "每项隐患落实应急预案", "",
         P, None, "fixed", "", 1, False, "other", G),
        ("hazard-register", "隐患排查整改闭环，台账与省校园安全风险管控系统一致",
         "对照省平台上报记录",
         P, None, "fixed", "", 2, False, "other", G),
    ]),
]
# fmt: on

_ITEM_KEYS = (
    "code",
    "text",
    "hint",
    "answer_type",
    "threshold",
    "threshold_rule",
    "unit_label",
    "weight",
    "critical",
    "category",
    "level",
)


def seed_content():
    """The seeded content in the normal shape (``inspections.checklists.content``)."""
    return normal_content(
        [
            {
                "code": code,
                "name": name,
                "defence": defence,
                "items": [dict(zip(_ITEM_KEYS, row, strict=True)) for row in items],
            }
            for code, name, defence, items in SECTIONS
        ]
    )


def seed_code(city):
    """``campaign-2019``; template codes are unique project-wide, so a second city seeded gets
    its own code with the city's unit code appended."""
    taken = ChecklistTemplate.objects.filter(code=CODE).exclude(city=city).exists()
    return f"{CODE}-{city.code}".lower()[:40] if taken else CODE


@transaction.atomic
def checklist_seed(city, *, actor=None):
    """The campaign's checklist of ``city``, version 1 (idempotent: an existing one is returned
    as it is, whatever its versions)."""
    existing = ChecklistTemplate.objects.filter(
        city=city, code__in=[CODE, f"{CODE}-{city.code}".lower()[:40]]
    ).first()
    if existing:
        return existing
    template = ChecklistTemplate.objects.create(code=seed_code(city), name=NAME, city=city)
    version = ChecklistVersion.objects.create(
        template=template, number=1, note="专项整治检查表初版", created_by=actor
    )
    write_content(version, seed_content())
    return template
