from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from concerto.core.management.base import ConcertoCommand
from concerto.pathway import diagnosis, disclosure, releases


class Command(ConcertoCommand):
    help = (
        "Écrit un tableau protégé du parcours d’admission (lignes × colonnes, « Total », cellules "
        "supprimées « x »), audité par programmation linéaire; refuse un tableau qui échoue à l’audit."
    )

    def add_arguments(self, parser):
        dimensions = ", ".join(releases.TABLE_DIMENSIONS)
        parser.add_argument("--rows", required=True, help=f"dimension des lignes ({dimensions})")
        parser.add_argument("--columns", required=True, help=f"dimension des colonnes ({dimensions})")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("-o", "--output", required=True, type=Path, help="fichier à écrire")
        parser.add_argument("--threshold", type=int, default=disclosure.DEFAULT_THRESHOLD, help="seuil (5)")
        parser.add_argument(
            "--synthetic", action="store_true", help="tableau des données synthétiques (sinon : réelles)"
        )
        parser.add_argument(
            "--primary-only",
            action="store_true",
            help="sans suppression complémentaire (l’audit refuse alors un tableau qui laisse fuir)",
        )

    def run(self, *args, rows, columns, format, output, threshold, synthetic, primary_only, **options):
        for name, value in (("--rows", rows), ("--columns", columns)):
            if value not in releases.TABLE_DIMENSIONS:
                raise CommandError(
                    f"{name} : dimension inconnue « {value} » (attendu : {', '.join(releases.TABLE_DIMENSIONS)})."
                )
        if rows == columns:
            raise CommandError("--rows et --columns doivent différer.")
        if threshold < 2:
            raise CommandError("--threshold : le seuil doit être d’au moins 2.")
        frame = diagnosis.load_frame(synthetic=synthetic)
        if frame.height == 0:
            kind = "synthétiques" if synthetic else "réelles"
            raise CommandError(f"Aucune donnée {kind} enregistrée : aucun tableau écrit.")
        try:
            table_rows, protected = releases.protected_rows(
                frame,
                rows=rows,
                columns=columns,
                threshold=threshold,
                synthetic=synthetic,
                names=releases.order_names(),
                secondary=not primary_only,
            )
        except disclosure.DisclosureRefused as exc:
            raise CommandError(f"Aucun fichier écrit : {exc}") from exc
        title = releases.table_title(rows, columns, synthetic=synthetic)
        if format == "csv":
            content = releases.csv_bytes(table_rows)
        else:
            notes = [
                *([diagnosis.SYNTHETIC_LABEL] if synthetic else []),
                title,
                f"Seuil de suppression : {threshold}.",
                "Audit par programmation linéaire réussi.",
            ]
            content = releases.xlsx_bytes(table_rows, title=title, notes=notes, day=timezone.localdate())
        output.write_bytes(content)
        self.stdout.write(
            f"{output} : {title}, {len(table_rows) - 2} ligne(s), "
            f"{int(protected.suppressed.sum())} cellule(s) supprimée(s), audit réussi."
        )
