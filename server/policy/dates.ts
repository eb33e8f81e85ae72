/**
 * Calendar arithmetic for predicates and generalisations. Korean records carry civil dates without
 * a time zone, and Korea has had no daylight saving since 1988, so "today" is the UTC+9 calendar
 * date of the injected clock. Dates compare as ISO strings; no Date parsing of record values.
 */

const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/** YYYY-MM-DD in Korea at the instant `now`. */
export function calendarDate(now: Date): string {
  return new Date(now.getTime() + KST_OFFSET_MS).toISOString().slice(0, 10);
}

interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Reads the date part of a date or date-time string; undefined if it is not one. */
export function parseCivilDate(value: unknown): CivilDate | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ISO_DATE.exec(value);
  if (!m) return undefined;
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

export function isoDate(value: unknown): string | undefined {
  return parseCivilDate(value) === undefined ? undefined : (value as string).slice(0, 10);
}

/**
 * Completed years between a birth date and today (international age, in force in Korea since
 * 2023-06-28). A 29 February birthday is reached on 1 March in common years.
 */
export function ageOn(birthDate: unknown, now: Date): number | undefined {
  const birth = parseCivilDate(birthDate);
  const today = parseCivilDate(calendarDate(now));
  if (!birth || !today) return undefined;
  const hadBirthday = today.month > birth.month || (today.month === birth.month && today.day >= birth.day);
  return today.year - birth.year - (hadBirthday ? 0 : 1);
}

/** Whether a [from, until) period, given as dates with an open end when until is empty, covers today. */
export function periodCovers(from: unknown, until: unknown, now: Date): boolean {
  const start = isoDate(from);
  if (start === undefined) return false;
  const today = calendarDate(now);
  if (start > today) return false;
  if (until === undefined || until === null) return true;
  const end = isoDate(until);
  return end !== undefined && end > today;
}
