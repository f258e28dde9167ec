"""Import of the organizations reference file: idempotent and all-or-nothing."""

from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from concerto.core.dataload import DataError
from concerto.organizations.domain import import_organizations
from concerto.organizations.models import Organization

from .conftest import ORGANIZATIONS_FILE

pytestmark = pytest.mark.django_db

HEADER = "schema: concerto.organizations/1\norganizations:\n"


def write(tmp_path, body: str, name="organizations.yaml"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def entry(code, name=None, kind="ministry", extra=""):
    return f"  - code: {code}\n    name: {name or code.title()}\n    kind: {kind}\n{extra}"


def snapshot():
    return sorted(
        Organization.objects.values_list(
            "code", "name", "acronym", "short_name", "kind", "order_number", "practice"
        )
    )


def real_entry_count():
    return len(yaml.safe_load(ORGANIZATIONS_FILE.read_text(encoding="utf-8"))["organizations"])


def test_import_creates_every_organization_of_the_real_file():
    result = import_organizations(path=ORGANIZATIONS_FILE)

    total = real_entry_count()
    assert (result.created, result.updated, result.unchanged) == (total, 0, 0)
    assert Organization.objects.count() == total


def test_import_is_idempotent():
    import_organizations(path=ORGANIZATIONS_FILE)
    before = snapshot()

    result = import_organizations(path=ORGANIZATIONS_FILE)

    assert (result.created, result.updated, result.unchanged) == (0, 0, real_entry_count())
    assert snapshot() == before


def test_import_stores_null_fields_as_empty_text():
    import_organizations(path=ORGANIZATIONS_FILE)

    office = Organization.objects.get(code="office-des-professions-du-quebec")
    assert (office.acronym, office.short_name, office.practice, office.order_number) == (
        "",
        "Office",
        "",
        None,
    )
    assert office.label == "Office"


def test_import_updates_only_the_changed_entry(tmp_path):
    import_organizations(path=write(tmp_path, entry("alpha") + entry("beta")))
    beta_pk = Organization.objects.get(code="beta").pk

    result = import_organizations(path=write(tmp_path, entry("alpha", name="Alpha renommé") + entry("beta")))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Organization.objects.get(code="alpha").name == "Alpha renommé"
    assert Organization.objects.get(code="beta").pk == beta_pk


def test_duplicate_code_is_refused_naming_the_entry_and_line(tmp_path):
    # "alpha" appears again on line 9 (header is 2 lines, each entry 3).
    path = write(tmp_path, entry("alpha") + entry("beta") + entry("alpha", name="Alpha bis"))

    with pytest.raises(DataError) as excinfo:
        import_organizations(path=path)

    message = str(excinfo.value)
    assert "« alpha »" in message
    assert "ligne 9" in message
    assert "code en double" in message
    assert Organization.objects.count() == 0


def test_unknown_kind_is_refused_naming_the_entry_and_line(tmp_path):
    path = write(tmp_path, entry("alpha") + entry("beta", kind="guild"))

    with pytest.raises(DataError) as excinfo:
        import_organizations(path=path)

    message = str(excinfo.value)
    assert "« beta »" in message
    assert "ligne 6" in message
    assert "« kind »" in message
    assert "« guild »" in message
    assert Organization.objects.count() == 0


def test_unknown_practice_is_refused(tmp_path):
    path = write(tmp_path, entry("alpha", kind="professional_order", extra="    practice: partial\n"))

    with pytest.raises(DataError, match="« practice » : valeur « partial » inconnue"):
        import_organizations(path=path)
    assert Organization.objects.count() == 0


def test_missing_name_is_refused(tmp_path):
    path = write(tmp_path, entry("alpha") + "  - code: beta\n    kind: ministry\n")

    with pytest.raises(DataError) as excinfo:
        import_organizations(path=path)

    message = str(excinfo.value)
    assert "« beta »" in message
    assert "« name »" in message
    assert "obligatoire" in message


def test_malformed_yaml_is_refused_naming_the_line(tmp_path):
    path = write(tmp_path, entry("alpha") + "  - code: [beta\n    name: Beta\n")

    with pytest.raises(DataError) as excinfo:
        import_organizations(path=path)

    message = str(excinfo.value)
    assert "YAML invalide" in message
    assert "ligne " in message
    assert Organization.objects.count() == 0


def test_wrong_schema_is_refused(tmp_path):
    path = tmp_path / "organizations.yaml"
    path.write_text("schema: concerto.organizations/2\norganizations: []\n", encoding="utf-8")

    with pytest.raises(DataError, match="« schema »"):
        import_organizations(path=path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(DataError, match="fichier introuvable"):
        import_organizations(path=tmp_path / "absent.yaml")


def test_refused_file_leaves_existing_organizations_untouched(tmp_path):
    import_organizations(path=ORGANIZATIONS_FILE)
    before = snapshot()
    real = ORGANIZATIONS_FILE.read_text(encoding="utf-8")
    # A valid rename early in the file, then a broken entry at the very end.
    broken = real.replace("name: Bureau de coopération interuniversitaire", "name: BCI renommé") + (
        "  - code: dernier\n    name: Dernier\n    kind: guild\n"
    )
    assert "name: BCI renommé" in broken
    path = tmp_path / "organizations.yaml"
    path.write_text(broken, encoding="utf-8")

    with pytest.raises(DataError, match="« dernier »"):
        import_organizations(path=path)

    assert snapshot() == before


def test_command_reports_counts():
    out = StringIO()
    call_command("import_organizations", str(ORGANIZATIONS_FILE), stdout=out)
    call_command("import_organizations", str(ORGANIZATIONS_FILE), stdout=out)

    first, second = out.getvalue().strip().splitlines()
    total = real_entry_count()
    assert first == f"Organisations : {total} créées, 0 mises à jour, 0 inchangées."
    assert second == f"Organisations : 0 créées, 0 mises à jour, {total} inchangées."


def test_command_turns_a_bad_file_into_a_command_error(tmp_path):
    path = write(tmp_path, entry("alpha", kind="guild"))

    with pytest.raises(CommandError, match="« kind »"):
        call_command("import_organizations", str(path), stdout=StringIO())
    assert Organization.objects.count() == 0


def test_duplicate_order_number_is_refused_naming_both_entries(tmp_path):
    order = "    order_number: 7\n"
    path = write(
        tmp_path,
        entry("alpha", kind="professional_order", extra=order)
        + entry("beta", kind="professional_order", extra=order),
    )

    with pytest.raises(DataError) as excinfo:
        import_organizations(path=path)

    message = str(excinfo.value)
    assert "« beta » (ligne 7)" in message
    assert "« order_number »" in message
    assert "« alpha »" in message
    assert Organization.objects.count() == 0


@pytest.mark.parametrize("value", ["sept", "0", "-3", "true", "7.5"])
def test_bad_order_number_is_refused(tmp_path, value):
    path = write(tmp_path, entry("alpha", kind="professional_order", extra=f"    order_number: {value}\n"))

    with pytest.raises(DataError, match="« alpha ».*« order_number » : nombre entier positif attendu"):
        import_organizations(path=path)
    assert Organization.objects.count() == 0


def test_order_number_held_by_an_organization_absent_from_the_file_is_refused(tmp_path):
    import_organizations(
        path=write(tmp_path, entry("alpha", kind="professional_order", extra="    order_number: 7\n"))
    )
    before = snapshot()

    path = write(tmp_path, entry("beta", kind="professional_order", extra="    order_number: 7\n"))
    with pytest.raises(DataError, match="numéro d’ordre 7 appartient déjà à l’organisation « alpha »"):
        import_organizations(path=path)

    assert snapshot() == before


def test_two_orders_can_swap_their_order_numbers(tmp_path):
    def orders(first, second):
        return entry("alpha", kind="professional_order", extra=f"    order_number: {first}\n") + entry(
            "beta", kind="professional_order", extra=f"    order_number: {second}\n"
        )

    import_organizations(path=write(tmp_path, orders(1, 2)))

    result = import_organizations(path=write(tmp_path, orders(2, 1)))

    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    assert dict(Organization.objects.values_list("code", "order_number")) == {"alpha": 2, "beta": 1}


def test_code_that_is_not_a_slug_is_refused(tmp_path):
    path = write(tmp_path, '  - code: "Ministère X"\n    name: Ministère X\n    kind: ministry\n')

    with pytest.raises(DataError, match="« code »"):
        import_organizations(path=path)
    assert Organization.objects.count() == 0
