"""The accountability record: entries recorded once and audited, withdrawn with an audit
row, explained by the unit's own people only; late incident reports put on record of the unit
that owed them; the list and the entry scoped like every other page."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from campaign.accountability import selectors, services
from campaign.incidents import services as incident_services
from campaign.models import AccountabilityEntry
from core.models import AuditEntry
from tests.campaign.incidents.helpers import LEARNED, fixed, report
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)
LATE = AccountabilityEntry.Kind.LATE_INCIDENT_REPORT
ABSENT = AccountabilityEntry.Kind.ABSENT_WITHOUT_LEAVE


def _entry(unit, source, kind=LATE, **extra):
    return services.entry_record(
        unit=unit, kind=kind, source=source, occurred_on=dt.date(2019, 12, 7), **extra
    )


def test_the_same_fact_is_one_entry_and_is_audited_once(tree):
    incident = fixed(tree.tz_school, tree.tongzhou, tree.city, "一次")
    first = _entry(tree.tz_school, incident)
    again = _entry(tree.tz_school, incident)
    assert first.pk == again.pk
    assert AccountabilityEntry.objects.count() == 1
    assert AuditEntry.objects.filter(action="accountability.record").count() == 1
    # Another kind, unit or period is another fact.
    _entry(tree.tz_school, incident, kind=ABSENT)
    _entry(tree.tongzhou, incident)
    _entry(tree.tz_school, tree.tz_school, kind=ABSENT, period="2019Q4")
    assert AccountabilityEntry.objects.count() == 4


def test_withdrawing_removes_the_entry_and_keeps_its_trace(tree, safety_office):
    incident = fixed(tree.tz_school, tree.tongzhou, tree.city, "撤销")
    entry = _entry(tree.tz_school, incident)
    assert services.entry_withdraw(
        unit=tree.tz_school, kind=LATE, source=incident, actor=safety_office, reason="考勤更正"
    )
    assert not AccountabilityEntry.objects.filter(pk=entry.pk).exists()
    trace = AuditEntry.objects.get(action="accountability.withdraw")
    assert trace.actor == safety_office and trace.detail["reason"] == "考勤更正"
    assert trace.detail["entry"] == entry.pk
    # Nothing to withdraw twice.
    assert not services.entry_withdraw(unit=tree.tz_school, kind=LATE, source=incident)


def test_only_the_units_own_people_explain(tree, school_officer, county_staff, city_admin):
    entry = _entry(tree.tz_school, fixed(tree.tz_school, tree.tongzhou, tree.city, "说明"))
    for outsider in (county_staff, city_admin):
        with pytest.raises(PermissionDenied):
            services.entry_explain(entry=entry, explanation="代为说明", actor=outsider)
    with pytest.raises(ValidationError):
        services.entry_explain(entry=entry, explanation="   ", actor=school_officer)
    services.entry_explain(entry=entry, explanation="值班人员未及时上报。", actor=school_officer)
    entry.refresh_from_db()
    assert entry.explanation == "值班人员未及时上报。"
    assert entry.explained_by == school_officer
    # An explanation never takes the entry off the record.
    assert AccountabilityEntry.objects.filter(pk=entry.pk).exists()


def test_a_late_incident_is_on_record_of_each_unit_that_was_late(
    tree, school_officer, county_staff
):
    incident = report(tree.tz_school, school_officer, deaths=1, after=3 * H)
    assert list(AccountabilityEntry.objects.values_list("unit__code", "kind", "source_id")) == [
        ("NT-TZ-0001", LATE, incident.pk)
    ]
    incident_services.incident_forward(incident=incident, actor=county_staff, now=LEARNED + 5 * H)
    assert set(AccountabilityEntry.objects.values_list("unit__code", flat=True)) == {
        "NT-TZ-0001",
        "NT-TZ",
    }


def test_an_incident_on_time_puts_nothing_on_record(tree, school_officer, county_staff):
    incident = report(tree.tz_school, school_officer, serious=1, after=dt.timedelta(minutes=20))
    incident_services.incident_forward(incident=incident, actor=county_staff, now=LEARNED + H)
    assert not AccountabilityEntry.objects.exists()


def test_a_countys_own_late_report_is_on_its_own_record(tree, county_staff):
    report(tree.tongzhou, county_staff, serious=1, after=2 * H)
    assert list(AccountabilityEntry.objects.values_list("unit__code", flat=True)) == ["NT-TZ"]


def test_the_unit_its_county_and_the_city_see_an_entry_and_a_sibling_does_not(
    tree, school_officer, county_staff, other_county_staff, safety_office
):
    entry = _entry(tree.tz_school, fixed(tree.tz_school, tree.tongzhou, tree.city, "范围"))
    for user in (school_officer, county_staff, safety_office):
        assert list(selectors.entries_for_user(user)) == [entry]
    assert not selectors.entries_for_user(other_county_staff).exists()
    sibling = grant(UserFactory(username="jinsha"), "school_officer", tree.tz_school2)
    assert not selectors.entries_for_user(sibling).exists()


def test_the_list_shows_the_entry_with_its_source(tree, school_officer, safety_office, client_for):
    incident = report(tree.tz_school, school_officer, deaths=1, after=3 * H)
    page = client_for(safety_office).get(reverse("campaign:accountability_list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "通州区实验小学 · 事故迟报" in html
    assert incident.get_absolute_url() in html
    other = client_for(school_officer).get(reverse("campaign:accountability_list"))
    assert incident.get_absolute_url() in other.content.decode()


def test_the_list_reads_a_constant_number_of_queries(
    tree, school_officer, county_staff, safety_office, client_for, django_assert_max_num_queries
):
    client = client_for(safety_office)
    url = reverse("campaign:accountability_list")
    report(tree.tz_school, school_officer, deaths=1, after=3 * H)
    client.get(url)
    for n in range(8):
        incident = fixed(tree.tz_school, tree.tongzhou, tree.city, f"计数{n}")
        _entry(tree.tz_school, incident)
        _entry(tree.tz_school, tree.tz_school, kind=ABSENT, period=f"2019Q{n}")
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count('id="entry-') == 17


def test_the_unit_explains_on_the_entry_page(tree, school_officer, client_for):
    entry = _entry(tree.tz_school, fixed(tree.tz_school, tree.tongzhou, tree.city, "页面"))
    client = client_for(school_officer)
    url = reverse("campaign:accountability_explain", args=[entry.pk])
    empty = client.post(url, {"explanation": ""})
    assert empty.status_code == 400 and "必填" in empty.content.decode()
    entry.refresh_from_db()
    assert entry.explanation == ""
    done = client.post(url, {"explanation": "已向教育局说明情况。"})
    assert done.status_code == 302
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "已向教育局说明情况。" in page
