"""The CIQ's deadlines on real dates: the Gazette period (RLRQ c. R-18.1, at
least 45 days from publication) across holidays, Saturdays and year ends,
and the warning on the orders' internal deadline."""

import datetime

import pytest

from concerto.ciq.deadlines import (
    MIN_WORKING_DAYS_FOR_OPINION,
    gazette_deadline,
    internal_deadline_warning,
    working_days_between,
)
from concerto.ciq.models import GAZETTE_DAYS, Dossier
from tests.factories import DossierFactory

D = datetime.date


@pytest.mark.parametrize(
    ("published", "expected", "why"),
    [
        (D(2024, 11, 16), D(2024, 12, 31), "an ordinary Tuesday, the last day of the year"),
        (D(2025, 3, 5), D(2025, 4, 22), "Saturday 19 April, then Easter Sunday and Easter Monday 2025"),
        (D(2025, 5, 10), D(2025, 6, 25), "24 June, Fête nationale"),
        (D(2025, 11, 10), D(2025, 12, 26), "25 December"),
        (D(2025, 11, 17), D(2026, 1, 2), "1 January, across the year end"),
        (D(2029, 5, 17), D(2029, 7, 3), "1 July 2029 is a Sunday, so 2 July is the holiday"),
    ],
)
def test_gazette_deadline_is_45_days_from_publication_on_a_working_day(published, expected, why):
    assert gazette_deadline(published) == expected, why


def test_gazette_period_kept_as_data_can_be_longer():
    assert gazette_deadline(D(2025, 3, 5), 60) == D(2025, 5, 5)


def test_usual_gazette_period_is_45_days():
    assert GAZETTE_DAYS == 45


def test_working_days_skip_weekends_and_holidays():
    # 3 April to 22 April 2025, without Good Friday (18) and Easter Monday (21).
    assert working_days_between(D(2025, 4, 2), D(2025, 4, 22)) == 12
    # Across Christmas and New Year's Day.
    assert working_days_between(D(2025, 12, 19), D(2026, 1, 5)) == 9


def test_no_working_days_when_end_is_not_after_start():
    assert working_days_between(D(2025, 4, 22), D(2025, 4, 22)) == 0
    assert working_days_between(D(2025, 4, 22), D(2025, 4, 1)) == 0


def test_internal_deadline_with_enough_time_gives_no_warning():
    assert internal_deadline_warning(D(2025, 4, 2), D(2025, 4, 22)) is None


def test_internal_deadline_too_close_warns_with_working_days_left():
    warning = internal_deadline_warning(D(2025, 4, 14), D(2025, 4, 22))
    # 15, 16, 17 and 22 April: Good Friday and Easter Monday do not count.
    assert warning.working_days == 4
    assert "4 jours ouvrables" in warning.message
    assert str(MIN_WORKING_DAYS_FOR_OPINION) in warning.message


def test_internal_deadline_after_authority_deadline_warns():
    warning = internal_deadline_warning(D(2025, 4, 23), D(2025, 4, 22))
    assert warning.working_days == 0
    assert "aucun jour ouvrable" in warning.message


def test_no_warning_without_authority_deadline():
    assert internal_deadline_warning(D(2025, 4, 23), None) is None


@pytest.mark.django_db
def test_dossier_computes_its_gazette_deadline_on_save():
    dossier = DossierFactory(
        deadline_basis=Dossier.DeadlineBasis.GAZETTE,
        gazette_published_on=D(2025, 11, 17),
        gazette_days=45,
        authority_deadline=D(2030, 1, 1),  # typed by mistake: the computation wins
    )
    dossier.refresh_from_db()
    assert dossier.authority_deadline == D(2026, 1, 2)


@pytest.mark.django_db
def test_typed_deadline_is_kept_with_its_source():
    dossier = DossierFactory(deadline_basis="typed", authority_deadline=D(2025, 9, 12))
    dossier.refresh_from_db()
    assert dossier.authority_deadline == D(2025, 9, 12)
    assert dossier.authority_deadline_source
