"""The sealed draw of a plan's targets: candidates and their risk features, weights, weighted
sampling from a recorded seed, and the audit that re-runs it (decisions.md, issue 8)."""

import hashlib
import json
import random
import secrets

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from campaign.models import OrgUnit
from core.services.audit import audit
from hazards.models import Hazard
from inspections import policy
from inspections.models import DEFAULT_WEIGHTS, Draw, InspectionPlan, Target, VisitResult
from inspections.scoring import BAD_SCORE
from inspections.services.plans import _lock

State = InspectionPlan.State
Kind = OrgUnit.Kind


def _schools_in_scope(plan):
    qs = OrgUnit.objects.filter(kind=Kind.SCHOOL, is_active=True, path__startswith=plan.city.path)
    counties = list(plan.counties.all())
    if counties:
        q = Q()
        for county in counties:
            q |= Q(path__startswith=county.path)
        qs = qs.filter(q)
    return qs


def draw_candidates(plan, *, today=None):
    """[(school_id, features)] of every active school in the plan's scope, in id order.

    Features (the risk the draw weighs): on the zero-data list (no hazard found since 1 January
    of the plan's year, S7), open overdue hazards, open major hazards, the last inspection's
    score and the days since it. Three queries whatever the size.
    """
    today = today or timezone.localdate()
    since = today.replace(month=1, day=1)
    schools = list(_schools_in_scope(plan).order_by("pk").values_list("pk", flat=True))
    open_q = Q(status__in=Hazard.OPEN_STATUSES)
    scope = Q(city_id=plan.city_id)
    counties = list(plan.counties.values_list("pk", flat=True))
    if counties:
        scope &= Q(county_id__in=counties)
    hazard_rows = (
        Hazard.objects.filter(scope)
        .filter(open_q | Q(found_on__gte=since))
        .values("school_id")
        .annotate(
            found=Count("id", filter=Q(found_on__gte=since)),
            overdue=Count("id", filter=open_q & Q(deadline__lt=today)),
            major=Count("id", filter=open_q & Q(level=Hazard.Level.MAJOR)),
        )
    )
    hazards = {r["school_id"]: r for r in hazard_rows}
    last = {
        r["school_id"]: r
        for r in VisitResult.objects.filter(city_id=plan.city_id)
        .values("school_id")
        .annotate(last_on=Max("finished_on"))
    }
    last_scores = {}
    if last:
        for school_id, score, finished_on in VisitResult.objects.filter(
            city_id=plan.city_id
        ).values_list("school_id", "score", "finished_on"):
            if finished_on == last[school_id]["last_on"]:
                last_scores[school_id] = float(score)
    candidates = []
    for school_id in schools:
        h = hazards.get(school_id)
        seen = last.get(school_id)
        candidates.append(
            (
                school_id,
                {
                    "zero_data": not (h and h["found"]),
                    "overdue": h["overdue"] if h else 0,
                    "major_open": h["major"] if h else 0,
                    "last_score": last_scores.get(school_id),
                    "days_since": (today - seen["last_on"]).days if seen else None,
                },
            )
        )
    return candidates


def weight_of(features, weights):
    """The school's weight: the base plus each risk feature's weight (not inspected: in
    proportion to the time since the last inspection, a year or never counting in full)."""
    w = {**DEFAULT_WEIGHTS, **weights}
    weight = float(w["base"])
    if features["zero_data"]:
        weight += w["zero_data"]
    if features["overdue"]:
        weight += w["overdue"]
    if features["major_open"]:
        weight += w["major_open"]
    if features["last_score"] is not None and features["last_score"] < BAD_SCORE:
        weight += w["bad_score"]
    days = features["days_since"]
    weight += w["not_inspected"] * (1.0 if days is None else min(1.0, days / 365))
    return round(weight, 6)


def digest(candidates):
    text = json.dumps(candidates, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def sample(candidates, size, seed):
    """Weighted sampling without replacement (Efraimidis–Spirakis): each candidate's key is
    u^(1/w) for a u from the seeded generator, taken in the candidates' order; the ``size``
    largest keys win, largest first. The same candidates and seed give the same targets."""
    rng = random.Random(seed)
    keyed = []
    for school_id, weight, _features in candidates:
        u = rng.random()
        keyed.append((u ** (1.0 / weight) if weight > 0 else 0.0, school_id))
    keyed.sort(reverse=True)
    return [school_id for _key, school_id in keyed[:size]]


@transaction.atomic
def draw_run(*, plan, actor, seed=None, today=None):
    """Draw the plan's targets (a draft plan); a new draw replaces the drawn targets and keeps
    those added by hand. The candidates, their digest and the seed are recorded."""
    policy.require_manage(actor, plan)
    plan = _lock(plan, (State.DRAFT,))
    weights = plan.effective_weights()
    manual = set(
        plan.targets.exclude(origin=Target.Origin.DRAWN).values_list("school_id", flat=True)
    )
    candidates = [
        [school_id, weight_of(features, weights), features]
        for school_id, features in draw_candidates(plan, today=today)
        if school_id not in manual
    ]
    seed = seed or secrets.token_hex(16)
    chosen = sample(candidates, plan.draw_size, seed)
    plan.targets.filter(origin=Target.Origin.DRAWN).delete()
    by_id = {c[0]: c for c in candidates}
    Target.objects.bulk_create(
        Target(
            plan=plan,
            school_id=school_id,
            origin=Target.Origin.DRAWN,
            rank=rank,
            weight=by_id[school_id][1],
            features=by_id[school_id][2],
            added_by=actor,
        )
        for rank, school_id in enumerate(chosen, start=1)
    )
    draw, _created = Draw.objects.update_or_create(
        plan=plan,
        defaults={
            "seed": seed,
            "size": plan.draw_size,
            "weights": weights,
            "candidates": candidates,
            "candidates_digest": digest(candidates),
            "drawn_by": actor,
            "drawn_at": timezone.now(),
        },
    )
    audit(
        actor=actor,
        action="inspection.draw",
        unit=plan.city,
        plan=plan.code,
        seed=seed,
        digest=draw.candidates_digest,
        candidates=len(candidates),
    )
    return draw


def draw_audit(plan):
    """Re-run the recorded draw: is the stored candidate list unchanged (its digest), do the
    recorded weights give the stored weights, and does the seed give the same targets?"""
    draw = Draw.objects.filter(plan=plan).first()
    if draw is None:
        return None
    candidates = draw.candidates
    digest_ok = digest(candidates) == draw.candidates_digest
    weights_ok = all(
        abs(weight_of(features, draw.weights) - weight) < 1e-6
        for _id, weight, features in candidates
    )
    replayed = sample(candidates, draw.size, draw.seed)
    drawn = list(
        plan.targets.filter(origin=Target.Origin.DRAWN)
        .order_by("rank")
        .values_list("school_id", flat=True)
    )
    return {
        "draw": draw,
        "digest_ok": digest_ok,
        "weights_ok": weights_ok,
        "replayed": replayed,
        "drawn": drawn,
        "same_targets": replayed == drawn,
        "ok": digest_ok and weights_ok and replayed == drawn,
    }
