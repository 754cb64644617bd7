"""The header's menus mark the section a page belongs to: the governance pages under 工作推进,
an incident report under 信息报送 (issue 10)."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "name, section",
    [
        ("campaign:workgroup_overview", "governance"),
        ("campaign:plan_list", "governance"),
        ("campaign:directive_list", "governance"),
        ("campaign:meeting_list", "governance"),
        ("campaign:key_period_list", "governance"),
        ("campaign:accountability_list", "governance"),
        ("campaign:incident_list", "reporting"),
        ("campaign:school_list", "schools"),
        ("hazards:hazard_list", "hazards"),
    ],
)
def test_each_page_marks_its_menu(client_for, safety_office, name, section):
    response = client_for(safety_office).get(reverse(name))
    assert response.status_code == 200
    assert response.context["nav_section"] == section


def test_the_governance_menu_holds_the_governance_pages(client_for, safety_office):
    body = client_for(safety_office).get(reverse("campaign:workbench")).content.decode()
    menu = body[body.index('aria-labelledby="governance-menu"') :]
    menu = menu[: menu.index("</ul>")]
    for entry in ("nav-workgroup", "nav-plans", "nav-directives", "nav-key-periods"):
        assert f'id="{entry}"' in menu
    assert 'id="nav-incidents"' not in menu
