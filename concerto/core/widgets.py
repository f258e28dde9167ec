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


class SearchableCheckboxList(FrenchOptionsMixin, forms.CheckboxSelectMultiple):
    """A list of checkboxes in a box of fixed height, instead of a long
    multiple select (which stretches the page and is hard to use): without
    JavaScript every option is there to tick; with it
    (``concerto/checkbox-filter.js``), a search field above the list keeps
    only the options that contain what is typed, accents and case aside."""

    template_name = "core/widgets/checkbox_list.html"
    option_template_name = "core/widgets/checkbox_option.html"

    class Media:
        # Only the pages with such a list load the script (``{{ form.media }}``,
        # which the shared form template renders).
        js = ["concerto/checkbox-filter.js"]
