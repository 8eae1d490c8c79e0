// Read an iCalendar file on stdin with Mozilla's ical.js; print its METHOD and its events
// (uid, sequence, summary, url, start and end in UTC, status) and its names (NAME, X-WR-CALNAME)
// as JSON. Exit 1 on a parse error or a TZID that names no VTIMEZONE of the file (ical.js would
// then read the time as floating).
import ICAL from "ical.js";

// Clients read the calendar's name as TEXT, RFC 7986 NAME and the X-WR-CALNAME before it; ical.js
// knows neither and would give the value still escaped.
for (const name of ["name", "x-wr-calname"]) {
  ICAL.design.icalendar.property[name] = { defaultType: "text" };
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const calendar = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));
const zones = new Set();
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  const zone = new ICAL.Timezone(vtimezone);
  ICAL.TimezoneService.register(zone);
  zones.add(zone.tzid);
}
const utc = (time) => time.convertToZone(ICAL.Timezone.utcTimezone).toString();
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  for (const name of ["dtstart", "dtend"]) {
    const tzid = vevent.getFirstProperty(name).getParameter("tzid");
    if (tzid && !zones.has(tzid)) {
      console.error(`${name} names TZID ${tzid}, which the file does not define`);
      process.exit(1);
    }
  }
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    sequence: event.sequence,
    summary: event.summary,
    url: vevent.getFirstPropertyValue("url"),
    start: utc(event.startDate),
    end: utc(event.endDate),
    status: vevent.getFirstPropertyValue("status") ?? "",
  };
});
const names = ["name", "x-wr-calname"].map((name) => calendar.getFirstPropertyValue(name));
console.log(JSON.stringify({ method: calendar.getFirstPropertyValue("method"), events, names }));
