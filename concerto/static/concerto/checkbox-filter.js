// Searchable checkbox lists (concerto.core.widgets.SearchableCheckboxList).
// Without this script every option stays listed; with it, a search field
// keeps only the options containing what is typed (accents and case aside).
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function setUp(list) {
    var search = list.querySelector(".checkbox-list-search");
    var input = search.querySelector("input[type=search]");
    var count = search.querySelector(".checkbox-list-count");
    var items = Array.prototype.slice.call(list.querySelectorAll(".checkbox-list-options > li"));
    var texts = items.map(function (item) { return fold(item.textContent); });

    function update() {
      var terms = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item, index) {
        var match = terms.every(function (term) { return texts[index].indexOf(term) !== -1; });
        // A ticked option always stays visible: what is chosen is never hidden.
        var keep = match || item.querySelector("input").checked;
        item.hidden = !keep;
        if (keep) { shown += 1; }
      });
      var template = shown === 1 ? list.dataset.countOne : list.dataset.countMany;
      count.textContent = terms.length
        ? template.replace("{count}", shown).replace("{total}", items.length)
        : "";
    }

    search.hidden = false;
    input.addEventListener("input", update);
    // Enter in the search field filters; it must not submit the form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
  }

  document.querySelectorAll("[data-checkbox-filter]").forEach(setUp);
})();
