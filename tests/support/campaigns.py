"""The real plan's update campaign, and the draft form as a browser posts it."""

import datetime

PLAN = "pole-2019-2024"
AS_OF = datetime.date(2024, 3, 31)


def draft_form(draft, **changes):
    """What the draft page posts for ``draft`` (its current values), with ``changes``."""
    data = {
        "version": draft.version,
        "percent": "" if draft.percent is None else draft.percent,
        "status": draft.status,
        "completed_in": draft.completed_in,
        "narrative": draft.narrative,
        "components-count": len(draft.components),
    }
    for i, c in enumerate(draft.components):
        for key in ("label", "organization", "percent", "narrative"):
            data[f"components-{i}-{key}"] = "" if c.get(key) is None else c[key]
    for v in draft.values:
        for key in ("actual", "percent", "note"):
            data[f"values-{v['indicator']}-{key}"] = "" if v.get(key) is None else v[key]
    data.update(changes)
    return data


def draft_data(draft, **changes):
    """What the form posts, as the service receives it."""
    from concerto.campaigns.views import _posted_data

    return _posted_data(draft_form(draft, **changes))
