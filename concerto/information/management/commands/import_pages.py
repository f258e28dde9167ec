from pathlib import Path

from concerto.core.audit import IMPORT
from concerto.core.management.base import ConcertoCommand
from concerto.information.pages_import import import_pages


class Command(ConcertoCommand):
    help = (
        "Importe les pages d’information du CIQ transcrites de nos sources (data/pages) ; "
        "une page déjà présente est laissée telle quelle."
    )
    attribution = IMPORT

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def run(self, *args, directory, **options):
        created, kept = import_pages(directory=directory)
        self.stdout.write(
            f"Pages d’information : {created} créées, {kept} déjà présentes laissées telles quelles."
        )
