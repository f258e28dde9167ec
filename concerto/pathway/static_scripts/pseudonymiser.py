#!/usr/bin/env python3
"""Pseudonymisation, chez l'ordre, du fichier du parcours d'admission.

Ce script remplace l'identifiant des personnes d'un fichier CSV par un
pseudonyme avant que le fichier ne quitte l'ordre. Il n'utilise que la
bibliothèque standard de Python (3.8 ou plus récent) : rien à installer.

Principe
--------
Le pseudonyme est le HMAC-SHA256 (64 caractères hexadécimaux minuscules) de
l'identifiant normalisé, calculé avec une clé secrète commune aux ordres
participants et jamais remise à l'Office. La même personne reçoit donc le
même pseudonyme dans tous les ordres (ses demandes se relient), mais ni
l'Office ni Concerto ne peuvent retrouver l'identifiant. À la réception,
Concerto applique un second HMAC avec sa propre clé.

Identifiant
-----------
Les ordres participants conviennent d'un même identifiant, composé d'une ou
de plusieurs colonnes (par exemple le nom, le prénom et la date de
naissance). Chaque valeur est normalisée avant le calcul : espaces de début
et de fin retirés, espaces multiples réduits à un seul, accents retirés,
majuscules; une date JJ/MM/AAAA est récrite AAAA-MM-JJ. Les valeurs sont
jointes par « | ». Les colonnes d'identifiant sont retirées du fichier et
remplacées par une seule colonne ``pseudonyme`` (en première position).
Une ligne dont l'identifiant est vide est refusée.

Clé
---
La clé est lue dans un fichier (jamais sur la ligne de commande, qui reste
visible dans la liste des processus) : au moins 32 octets, par exemple
produits une fois par ``python3 -c "import secrets; print(secrets.token_hex(32))"``
et transmis aux ordres participants par un moyen sûr.

Usage
-----
::

    python3 pseudonymiser.py --cle cle.txt --colonne nom --colonne prenom \\
        --colonne date_naissance demandes.csv demandes-pseudonymisees.csv

Le fichier d'entrée peut être en UTF-8 (avec ou sans BOM) ou en Windows-1252,
séparé par des virgules ou des points-virgules; le fichier produit est en
UTF-8 avec le même séparateur. Les messages d'erreur nomment la ligne et la
colonne, jamais la valeur de l'identifiant.

Code de sortie : 0 si tout va bien, 1 si le fichier est refusé (aucun
fichier de sortie n'est alors laissé), 2 si les arguments sont invalides.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import os
import re
import sys
import tempfile
import unicodedata

PSEUDONYM_COLUMN = "pseudonyme"
MIN_KEY_BYTES = 32
_FRENCH_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_SPACES = re.compile(r"\s+")


class Refused(Exception):
    """Le fichier est refusé; le message nomme la ligne et la colonne."""


def normalize(value: str) -> str:
    """Forme canonique d'une valeur d'identifiant (voir « Identifiant »)."""
    value = _SPACES.sub(" ", value.strip())
    match = _FRENCH_DATE.fullmatch(value)
    if match:
        value = f"{match.group(3)}-{match.group(2)}-{match.group(1)}"
    decomposed = unicodedata.normalize("NFKD", value)
    value = "".join(c for c in decomposed if not unicodedata.combining(c))
    return value.upper()


def pseudonym(values, key: bytes) -> str:
    """HMAC-SHA256 hexadécimal de l'identifiant normalisé (valeurs jointes par « | »)."""
    message = "|".join(normalize(v) for v in values).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def read_key(path: str) -> bytes:
    with open(path, "rb") as handle:
        key = handle.read().strip()
    if len(key) < MIN_KEY_BYTES:
        raise Refused(f"la clé ({path}) doit compter au moins {MIN_KEY_BYTES} octets.")
    return key


def decode(data: bytes) -> str:
    """UTF-8 (BOM retiré) si possible, sinon Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise Refused("encodage non reconnu (UTF-8 ou Windows-1252 attendu).") from exc


def separator(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def pseudonymize(text: str, columns, key: bytes):
    """(séparateur, lignes produites) pour le texte CSV ``text``."""
    first_line = text.split("\n", 1)[0]
    sep = separator(first_line)
    reader = csv.reader(text.splitlines(keepends=True), delimiter=sep)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration as exc:
        raise Refused("le fichier est vide.") from exc
    missing = [c for c in columns if c not in header]
    if missing:
        raise Refused("colonne(s) d'identifiant absente(s) : " + ", ".join(missing) + ".")
    if PSEUDONYM_COLUMN in header:
        raise Refused(f"le fichier contient déjà une colonne « {PSEUDONYM_COLUMN} ».")
    positions = [header.index(c) for c in columns]
    kept = [i for i, name in enumerate(header) if name not in columns]
    rows = [[PSEUDONYM_COLUMN] + [header[i] for i in kept]]
    for record in reader:
        line = reader.line_num
        if not record or all(not v.strip() for v in record):
            continue
        if len(record) != len(header):
            raise Refused(f"ligne {line} : {len(record)} champ(s) au lieu de {len(header)}.")
        values = [record[i] for i in positions]
        for column, value in zip(columns, values):  # noqa: B905 - runs on Python 3.8 at the orders
            if not value.strip():
                raise Refused(f"ligne {line}, colonne « {column} » : identifiant vide.")
        rows.append([pseudonym(values, key)] + [record[i] for i in kept])
    return sep, rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Pseudonymise l'identifiant d'un fichier CSV (HMAC-SHA256).")
    parser.add_argument("--cle", required=True, help="fichier contenant la clé commune aux ordres")
    parser.add_argument(
        "--colonne", action="append", required=True, help="colonne d'identifiant (répéter au besoin)"
    )
    parser.add_argument("entree", help="fichier CSV de l'ordre")
    parser.add_argument("sortie", help="fichier CSV pseudonymisé à produire")
    args = parser.parse_args(argv)
    try:
        key = read_key(args.cle)
        with open(args.entree, "rb") as handle:
            sep, rows = pseudonymize(decode(handle.read()), args.colonne, key)
        # Written beside the target, then renamed: a refused file leaves nothing half-written.
        folder = os.path.dirname(os.path.abspath(args.sortie))
        fd, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                csv.writer(out, delimiter=sep, lineterminator="\r\n").writerows(rows)
            os.replace(temporary, args.sortie)
        except BaseException:
            os.unlink(temporary)
            raise
    except (Refused, OSError) as exc:
        print(f"Fichier refusé : {exc}", file=sys.stderr)
        return 1
    print(f"{len(rows) - 1} ligne(s) pseudonymisée(s) dans {args.sortie}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
