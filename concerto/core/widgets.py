"""Form widgets shared by the apps."""

from django import forms


class FrenchOptionsMixin:
    """The options are data kept in French (organization names, theme and
    measure titles): each says so with ``lang="fr"``, so that screen readers
    pronounce them in French on the English pages (WCAG 3.1.2). The empty
    choice ("All", "— Choose —") is interface text and keeps the page's language."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        if str(option["value"]) != "":
            option["attrs"]["lang"] = "fr"
        return option


class FrenchSelect(FrenchOptionsMixin, forms.Select):
    pass


class FrenchSelectMultiple(FrenchOptionsMixin, forms.SelectMultiple):
    pass
