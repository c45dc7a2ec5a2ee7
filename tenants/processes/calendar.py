"""Calendar invitations (RFC 5545) for the next meeting of a process: plain functions.

Times are written in Europe/Lisbon with its VTIMEZONE, so a calendar shows the meeting at the
hour agreed whatever the reader's zone. The UID stays the same while the meeting is moved,
with SEQUENCE counting the changes, so calendars update the event rather than adding one.
An invitation names no participant (only the partner, the place and the portal link): it
travels to both sides and sits in their mailboxes.
"""
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

TIME_ZONE = "Europe/Lisbon"
LISBON = ZoneInfo(TIME_ZONE)
MEETING_MINUTES = 60
CONTENT_TYPE = "text/calendar; method=REQUEST"

# The rules of Portugal's mainland time since 1996 (the EU's last Sundays of March and October).
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TIME_ZONE}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:WEST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:WET",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def escape_text(value):
    """A TEXT value: backslash, semicolon, comma and line breaks escaped (RFC 5545 3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line):
    """Lines of at most 75 octets, continued with CRLF and a space (RFC 5545 3.1)."""
    encoded, parts, start = line.encode(), [], 0
    limit = 75
    while len(encoded) - start > limit:
        end = start + limit
        while end > start and (encoded[end] & 0xC0) == 0x80:  # never split a UTF-8 character
            end -= 1
        parts.append(encoded[start:end].decode())
        start, limit = end, 74  # a continuation line starts with a space
    parts.append(encoded[start:].decode())
    return "\r\n ".join(parts)


def _local(moment):
    return moment.astimezone(LISBON).strftime("%Y%m%dT%H%M%S")


def _utc(moment):
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_invitation(*, uid, sequence, starts_at, summary, place, description, organizer_name,
                       organizer_email, attendees, stamp):
    """The .ics text of one meeting. `attendees`: [(name, e-mail)]; times aware datetimes."""
    ends_at = starts_at + timedelta(minutes=MEETING_MINUTES)
    event = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART;TZID={TIME_ZONE}:{_local(starts_at)}",
        f"DTEND;TZID={TIME_ZONE}:{_local(ends_at)}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        f'ORGANIZER;CN="{_quoted(organizer_name)}":mailto:{organizer_email}',
        *(f'ATTENDEE;CN="{_quoted(name)}";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{email}'
          for name, email in attendees),
        "STATUS:CONFIRMED",
        "END:VEVENT",
    ]
    if place:
        event.insert(-3, f"LOCATION:{escape_text(place)}")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Rede Mentores//Mentoring meetings//PT",
             "CALSCALE:GREGORIAN", "METHOD:REQUEST", *VTIMEZONE, *event, "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)


def _quoted(value):
    """A parameter value inside double quotes may hold neither quotes nor control characters."""
    return "".join(character for character in value if character != '"' and character.isprintable())
