import json

from concerto.core.management.base import ConcertoCommand
from concerto.plans.checks import ERROR, check_plan

from ._helpers import get_plan, parse_as_of


class Command(ConcertoCommand):
    help = "Liste les incohérences d’un plan d’action à une date de suivi."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--as-of", dest="as_of", help="date de suivi AAAA-MM-JJ (défaut : la plus récente)"
        )
        parser.add_argument("--json", action="store_true", help="sortie JSON")
        parser.add_argument(
            "--fail-on-error", action="store_true", help="code de sortie 1 si une erreur est trouvée"
        )

    def run(self, *args, slug, as_of, **options):
        plan = get_plan(slug)
        date = parse_as_of(as_of, plan)
        findings = check_plan(plan, date)
        if options["json"]:
            self.stdout.write(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
        else:
            when = date.isoformat() if date else "aucune date de suivi"
            self.stdout.write(f"{plan.title} — {when} : {len(findings)} constat(s)")
            for f in findings:
                measure = f"mesure {f.measure}" if f.measure else "plan"
                self.stdout.write(f"[{f.severity}] {f.code} ({measure}) : {f.message}")
        if options["fail_on_error"] and any(f.severity == ERROR for f in findings):
            raise SystemExit(1)
