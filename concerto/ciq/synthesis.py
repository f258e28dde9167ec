"""The live synthesis of a consultation: one loader, a fixed number of queries.

Shared by the synthesis page, the per-article page and the exports
(``export_consultation`` and the downloads). It reads what each order
*submitted* — its last ``AnswerVersion`` — never a draft being written:
participation (answered / invited, on time / late, who has not answered),
positions, and the comments article by article, filtered by position and by
group of orders.

Queries, whatever the number of orders, answers and articles: the audience,
the answers, their last versions, the articles, and the groups (plus one for
the chosen group's orders): six at most.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from concerto.organizations.models import Organization

from .models import Answer, AnswerVersion, Article, Consultation, OrderGroup, Position


@dataclass
class OrderAnswer:
    organization: Organization
    answer: Answer | None
    version: AnswerVersion | None

    @property
    def answered(self) -> bool:
        return self.version is not None

    @property
    def late(self) -> bool:
        return bool(self.answer and self.answer.late)

    @property
    def position(self) -> str:
        return self.version.position if self.version else ""

    @property
    def position_label(self) -> str:
        return str(Position(self.position).label) if self.position else ""


@dataclass
class ArticleView:
    article: Article
    comments: list[tuple[Organization, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.comments)


@dataclass
class Synthesis:
    consultation: Consultation
    orders: list[OrderAnswer]
    """Every order of the audience (after the group filter), by name."""
    articles: list[ArticleView]
    groups: list[OrderGroup]
    position_filter: str = ""
    group_filter: OrderGroup | None = None

    @property
    def invited(self) -> int:
        return len(self.orders)

    @property
    def answered(self) -> list[OrderAnswer]:
        return [o for o in self.orders if o.answered]

    @property
    def on_time(self) -> int:
        return sum(1 for o in self.answered if not o.late)

    @property
    def late(self) -> int:
        return sum(1 for o in self.answered if o.late)

    @property
    def not_answered(self) -> list[OrderAnswer]:
        return [o for o in self.orders if not o.answered]

    @property
    def positions(self) -> list[tuple[str, str, int]]:
        """(value, French label, count) for every position, in the order of the choices."""
        counts = Counter(o.position for o in self.answered)
        return [(value, str(label), counts.get(value, 0)) for value, label in Position.choices]

    @property
    def shown(self) -> list[OrderAnswer]:
        """The answered orders the position filter keeps."""
        if not self.position_filter:
            return self.answered
        return [o for o in self.answered if o.position == self.position_filter]

    def article(self, pk: int) -> ArticleView | None:
        return next((a for a in self.articles if a.article.pk == pk), None)


def load_synthesis(
    consultation: Consultation, *, position: str = "", group_id: int | None = None
) -> Synthesis:
    """Everything the synthesis shows, in a fixed number of queries."""
    groups = list(OrderGroup.objects.filter(owner=consultation.dossier.owner_id).order_by("name", "pk"))
    group = next((g for g in groups if g.pk == group_id), None)
    audience = consultation.audience.order_by("name", "pk")
    if group is not None:
        audience = audience.filter(pk__in=group.organizations.values("pk"))
    audience = list(audience)
    answers = {
        a.organization_id: a
        for a in Answer.objects.filter(consultation=consultation).only(
            "pk", "organization_id", "state", "late", "submitted_at", "consultation_id"
        )
    }
    newer = AnswerVersion.objects.filter(answer=OuterRef("answer"), number__gt=OuterRef("number"))
    versions = {
        v.answer_id: v
        for v in AnswerVersion.objects.filter(answer__consultation=consultation).exclude(Exists(newer))
    }
    position = position if position in Position.values else ""
    orders = []
    for organization in audience:
        answer = answers.get(organization.pk)
        version = versions.get(answer.pk) if answer is not None else None
        orders.append(OrderAnswer(organization, answer, version))
    articles = [
        ArticleView(a) for a in Article.objects.filter(consultation=consultation).order_by("position")
    ]
    by_pk = {view.article.pk: view for view in articles}
    for order in orders:
        if not order.answered or (position and order.position != position):
            continue
        for item in order.version.article_comments:
            view = by_pk.get(item.get("article"))
            if view is not None and item.get("text"):
                view.comments.append((order.organization, item["text"]))
    return Synthesis(
        consultation=consultation,
        orders=orders,
        articles=articles,
        groups=groups,
        position_filter=position,
        group_filter=group,
    )


# --- the positions chart ----------------------------------------------------------------

_COLOURS = {
    Position.FAVOURABLE: "#1f6f43",
    Position.WITH_RESERVATIONS: "#8a6100",
    Position.UNFAVOURABLE: "#a0171f",
    Position.NO_POSITION: "#4e5662",
}


def positions_svg(synthesis: Synthesis, *, title: str) -> str:
    """A horizontal bar chart of the positions, as an SVG string (escaped; no script, no style)."""
    from django.utils.html import escape

    rows = synthesis.positions
    total = max((count for _v, _l, count in rows), default=0) or 1
    label_width, bar_width, row_height = 230, 300, 30
    height = row_height * len(rows) + 10
    width = label_width + bar_width + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="positions-chart-title" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" class="ciq-chart">',
        f'<title id="positions-chart-title">{escape(title)}</title>',
    ]
    for index, (value, label, count) in enumerate(rows):
        y = 5 + index * row_height
        length = round(bar_width * count / total)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 19}" text-anchor="end" font-size="14" fill="#223654">'
            f"{escape(label)}</text>"
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{length}" height="20" fill="{_COLOURS[value]}"/>'
        )
        parts.append(
            f'<text x="{label_width + length + 6}" y="{y + 19}" font-size="14" fill="#223654">{count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
