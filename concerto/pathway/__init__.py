"""Admission-pathway data of people trained outside Québec (issue 14, measure 2 of the Pôle's plan).

- ``dictionary``: the data dictionary (one row per application), its Table
  Schema (``schemas/``) and category labels; ``template``: the Excel template.
- ``static_scripts/pseudonymiser.py``: the stdlib-only script the orders run
  before a file leaves them; ``pseudonyms``: Concerto's second key.
- ``ingest``: reading and validating a file, all or nothing, with its error
  and quality reports; ``storage`` and ``models``: the stored submissions
  (``pathway_import``).
- ``survival``: Kaplan–Meier and Aalen–Johansen estimates of time to permit.
- ``disclosure``: protected two-way tables (primary and secondary
  suppression, linear-programming audit).
- ``synthetic``: synthetic submissions (``pathway_synthetic``).

Heavy libraries (Polars, lifelines, SciPy) are imported by these modules
only, never by ``models``, so Django starts without them.
"""
