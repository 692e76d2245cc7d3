// Times and days in the business time zone (`Ledger:Reconciliation:TimeZone`, Asia/Shanghai by default),
// which the service names at GET /me: the zone finance counts days in, and the one support agents work in.
// Every time shown carries its offset (`2026-11-25 10:32:10 UTC+8`); every picker takes ISO text
// (`2026-11-25`, `2026-11-25 10:32`) read in that same zone, so no browser locale turns it into mm/dd/yyyy.
let zone = 'UTC';
let today = null;

export function setZone(timeZone, businessToday) {
  try {
    new Intl.DateTimeFormat('en', { timeZone }).format(0);
    zone = timeZone;
  } catch {
    zone = 'UTC'; // a zone this browser does not know: UTC, and every label says so
  }
  today = businessToday ?? null;
}

export const timeZone = () => zone;

function parts(ms) {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).filter(x => x.type !== 'literal').map(x => [x.type, x.value]));
  return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour, mi: +p.minute, s: +p.second, text: p };
}

/** Minutes the zone is ahead of UTC at an instant. */
function offsetMinutes(ms) {
  const p = parts(ms);
  return Math.round((Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(ms / 1000) * 1000) / 60000);
}

function offsetLabel(minutes) {
  if (minutes === 0) return 'UTC';
  const sign = minutes > 0 ? '+' : '-';
  const a = Math.abs(minutes);
  return `UTC${sign}${Math.floor(a / 60)}${a % 60 ? `:${String(a % 60).padStart(2, '0')}` : ''}`;
}

/** `Asia/Shanghai (UTC+8)`: the zone every time on the page is in. */
export function zoneLabel() {
  return `${zone} (${offsetLabel(offsetMinutes(Date.now()))})`;
}

/** An ISO instant as `2026-11-25 10:32:10 UTC+8` in the business zone. */
export function when(iso) {
  if (!iso) return '—';
  const ms = new Date(iso).getTime();
  if (Number.isNaN(ms)) return String(iso);
  const p = parts(ms).text;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${offsetLabel(offsetMinutes(ms))}`;
}

/** The business day (`yyyy-MM-dd`) of an instant. */
export function dayOf(ms) {
  const p = parts(ms).text;
  return `${p.year}-${p.month}-${p.day}`;
}

/** Today's business day: the service's answer, else the browser's clock read in the zone. */
export const businessToday = () => today ?? dayOf(Date.now());

/** `yyyy-MM-dd` plus or minus whole days (calendar arithmetic, no zone involved). */
export function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

export const dayPattern = '\\d{4}-\\d{2}-\\d{2}';
export const timePattern = '\\d{4}-\\d{2}-\\d{2}[ T]\\d{1,2}:\\d{2}(:\\d{2})?';

/** `2026-11-25 10:32[:05]` read in the business zone → an ISO instant; null when it is not such a time. */
export function instantFromZoneTime(text) {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*$/.exec(text ?? '');
  if (!m) return null;
  const [y, mo, d, hh, mi, s] = m.slice(1).map(x => Number(x ?? 0));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59 || s > 59) return null;
  const wall = Date.UTC(y, mo - 1, d, hh, mi, s);
  let ms = wall - offsetMinutes(wall) * 60000;
  const again = offsetMinutes(ms);
  ms = wall - again * 60000; // the offset at the instant itself (a wall time just after a DST change)
  return new Date(ms).toISOString();
}

/** An instant as `2026-11-25 10:32:05` in the zone (what the pickers take). */
export function zoneTimeText(ms) {
  const p = parts(ms).text;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}
