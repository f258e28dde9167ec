"""The one iCalendar writer (concerto/core/ical.py); the invitation sent with it: test_notifications."""

import datetime

import icalendar
import pytest

from concerto.core import ical

MONTREAL = datetime.timezone(datetime.timedelta(hours=-5))


def _event(**changes):
    values = {
        "uid": "meeting-7",
        "start": datetime.datetime(2026, 12, 3, 9, 30, tzinfo=MONTREAL),
        "end": datetime.datetime(2026, 12, 3, 11, 0, tzinfo=MONTREAL),
        "summary": "Comité de la formation — réunion",
        "location": "Montréal, salle 3",
        "sequence": 2,
    }
    values.update(changes)
    return ical.Event(**values)


def _parse(content: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(content)


def test_an_event_is_written_in_utc_with_a_stable_uid_and_its_sequence():
    calendar = _parse(ical.calendar([_event()], name="Réunions"))
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == "meeting-7@concerto.quebec"
    assert event.decoded("DTSTART") == datetime.datetime(2026, 12, 3, 14, 30, tzinfo=datetime.UTC)
    assert event["SEQUENCE"] == 2
    assert str(event["SUMMARY"]) == "Comité de la formation — réunion"
    assert str(event["LOCATION"]) == "Montréal, salle 3"
    assert str(calendar["X-WR-CALNAME"]) == "Réunions"
    assert "METHOD" not in calendar


def test_a_cancelled_event_says_so():
    (event,) = _parse(ical.calendar([_event(cancelled=True)], name="x", method="CANCEL")).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        ical.calendar([_event(start=datetime.datetime(2026, 12, 3, 9, 30))], name="x")
