// `new Date(ms).toISOString()` by arithmetic: the first Date a process makes sets up V8's date cache
// and ICU's time zone, ~1.5 ms of an `elixirscope info` that only prints a recording's start in UTC.

const MS_PER_DAY = 86_400_000;
/** Beyond ±8.64e15 ms a Date is invalid: those (and NaN) are left to Date itself, which throws. */
const MAX_TIME = 8.64e15;

/** The same text as `new Date(ms).toISOString()` (which it asks for values it would refuse). */
export function isoTime(ms: number): string {
  const t = Math.trunc(ms) + 0; // as a Date clips its time value (+0 turns -0 into 0)
  if (!(Math.abs(t) <= MAX_TIME)) return new Date(ms).toISOString();
  const days = Math.floor(t / MS_PER_DAY);
  const inDay = t - days * MS_PER_DAY;
  // Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const yearText =
    year >= 0 && year <= 9999 ? pad(year, 4) : `${year < 0 ? "-" : "+"}${pad(Math.abs(year), 6)}`;
  const h = Math.floor(inDay / 3_600_000);
  const m = Math.floor(inDay / 60_000) % 60;
  const s = Math.floor(inDay / 1000) % 60;
  return `${yearText}-${pad(month, 2)}-${pad(day, 2)}T${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(inDay % 1000, 3)}Z`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}
