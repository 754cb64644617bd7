from inspections.checklists.seed import S9_ITEMS, S16_ITEMS, checklist_seed, seed_content
from inspections.checklists.content import version_content

def test_seed(tree):
    t = checklist_seed(tree.city)
    assert checklist_seed(tree.city) == t
    v = t.current_version()
    codes = set(v.items.values_list("code", flat=True))
    assert set(S9_ITEMS) | set(S16_ITEMS) <= codes
    assert 30 <= len(codes) <= 45, len(codes)
    assert version_content(v) == seed_content()
