"""The organisation tree, county pages, school lists and school profiles."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaign import access, selectors, services
from campaign.forms.tree import SchoolFilter, SchoolForm, SchoolListFilter
from campaign.models import OrgUnit
from campaign.roles import Perm

Kind = OrgUnit.Kind
PAGE_SIZE = 25


def _category_counts(by_category):
    return [by_category.get(value, 0) for value in OrgUnit.Category.values]


def _tree_rows(roots):
    """Flatten the nested tree into table rows, each county (or city) with its totals."""
    rows = []

    def add(label, url, level, counts, *, total=False):
        rows.append(
            {
                "label": label,
                "url": url,
                "level": min(level, 3),
                "by_category": _category_counts(counts["by_category"]),
                "schools": counts["schools"],
                "students": counts["students"],
                "total": total,
            }
        )

    def visit(node, level):
        unit = node["unit"]
        is_county = unit.kind == Kind.COUNTY
        url = unit.get_absolute_url() if is_county else None
        add(unit.name, url, level, node, total=not is_county)
        for child in node["children"]:
            visit(child, level + 1)
        if unit.kind == Kind.CITY and node["direct"]:
            url = f"{reverse('campaign:school_list')}?{urlencode({'county': unit.code})}"
            add(_("City-direct schools"), url, level + 1, node["direct"])

    for root in roots:
        visit(root, 0)
    return rows


@login_required
def org_tree(request):
    roots = selectors.tree_for_user(request.user)
    context = {
        "categories": OrgUnit.Category.labels,
        "rows": _tree_rows(roots),
        "schools": list(selectors.granted_schools(request.user)),
    }
    return render(request, "campaign/tree/org_tree.html", context)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def county_detail(request, code):
    county = selectors.unit_for_user(request.user, code, kind=Kind.COUNTY)
    counts = selectors.school_counts_under(request.user, county)
    filterset = SchoolFilter(request.GET, queryset=selectors.schools_under(request.user, county))
    context = {
        "county": county,
        "counts": counts,
        "by_category": list(
            zip(OrgUnit.Category.labels, _category_counts(counts["by_category"]), strict=True)
        ),
        "by_ownership": [
            (label, counts["by_ownership"].get(value, 0))
            for value, label in OrgUnit.Ownership.choices
        ],
        "filter": filterset,
        "page": _page(request, filterset.qs),
    }
    return render(request, "campaign/tree/county_detail.html", context)


@login_required
def school_list(request):
    parents = list(selectors.school_parents_for_user(request.user))
    filterset = SchoolListFilter(
        request.GET, queryset=selectors.schools_for_user(request.user), parents=parents
    )
    context = {"filter": filterset, "page": _page(request, filterset.qs)}
    return render(request, "campaign/tree/school_list.html", context)


def _breadcrumbs(user, unit):
    return [
        {
            "name": ancestor.name,
            "url": ancestor.get_absolute_url()
            if access.has_perm_at(user, Perm.VIEW, ancestor)
            else None,
        }
        for ancestor in selectors.unit_ancestors(unit)
    ]


@login_required
def school_detail(request, code):
    school = selectors.unit_for_user(request.user, code, kind=Kind.SCHOOL)
    context = {
        "school": school,
        "breadcrumbs": _breadcrumbs(request.user, school),
        "can_edit": access.has_perm_at(request.user, Perm.MANAGE_UNITS, school),
    }
    return render(request, "campaign/tree/school_detail.html", context)


def _add_model_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def school_edit(request, code):
    school = selectors.unit_for_user(request.user, code, kind=Kind.SCHOOL)
    access.require_perm_at(request.user, Perm.MANAGE_UNITS, school)
    if request.method == "POST":
        form = SchoolForm(request.POST)
        if form.is_valid():
            try:
                services.school_update(school=school, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_model_errors(form, error)
                # The failed update may have changed the object in memory; show the saved one.
                school = selectors.unit_for_user(request.user, code, kind=Kind.SCHOOL)
            else:
                messages.success(request, _("The school profile was saved."))
                return redirect(school.get_absolute_url())
        messages.error(request, _("The school profile was not saved: please correct the errors."))
    else:
        form = SchoolForm(initial=SchoolForm.initial_for(school))
    context = {
        "school": school,
        "form": form,
        "breadcrumbs": _breadcrumbs(request.user, school),
    }
    return render(request, "campaign/tree/school_edit.html", context)
