"""Access-matrix rows of the working-group URLs: tests/test_access_matrix.py adds them to MATRIX.

``in`` is 通州区's group, ``out`` 如东县's. Reading follows the tree both ways (a county and its
schools read their own group and the city's); editing is for the unit's own managers only, so
the city's staff and Safety & Stability Office read a county's group but may not change it
(the matrix's city administrator is a superuser, who may).
"""

# Whoever's scope meets the county reads its group, including its schools' officers.
READ = "200/200 200/200 200/200 200/404 200/404 200/200 200/200 404/404 302/302"
# The county's own staff edit it (and a superuser); those who read it are refused.
EDIT = "200/200 403/403 403/403 200/404 403/404 403/403 403/403 404/404 302/302"
# Removing a person: a redirect back to the group after success, else as EDIT.
REMOVE = "302/302 403/403 403/403 302/404 403/404 403/403 403/403 404/404 302/302"
MINE = "200 200 200 200 200 200 200 200 302"

MATRIX_NAME = "矩阵测试成员"


def rows():
    from tests.test_access_matrix import IN, Row

    def unit(o, scope):
        return o.tree.tongzhou if scope == IN else o.tree.rudong

    def group(o, scope):
        return {"code": unit(o, scope).code}

    def member(o, scope):
        """A member of the county's group, there again after a walk removed it (idempotent)."""
        from campaign.models import Responsibility, WorkingGroup, WorkingGroupMember

        g, _ = WorkingGroup.objects.get_or_create(unit=unit(o, scope))
        m, _ = WorkingGroupMember.objects.get_or_create(
            group=g,
            name=MATRIX_NAME,
            defaults={"responsibility": Responsibility.MEMBER, "phone": "13912345678"},
        )
        return {"code": unit(o, scope).code, "pk": m.pk}

    def only_groups_in_scope(response, o, user, scope):
        from campaign.workgroup import policy

        shown = {row["unit"].code for row in response.context["rows"]}
        for county in (o.tree.tongzhou, o.tree.rudong):
            assert (county.code in shown) == policy.may_read(user, county), county.code

    return {
        "campaign:workgroup_overview": Row(MINE, check=only_groups_in_scope),
        "campaign:workgroup_detail": Row(READ, kwargs=group),
        "campaign:workgroup_edit": Row(EDIT, kwargs=group),
        "campaign:workgroup_member_add": Row(EDIT, kwargs=group),
        "campaign:workgroup_member_edit": Row(EDIT, kwargs=member),
        "campaign:workgroup_member_remove": Row(REMOVE, kwargs=member, method="POST"),
    }
