/**
 * The synthetic population's calendar. Every life is told as of one fixed reference day, so a
 * record is a pure function of (seed, index) and does not change as the wall clock moves on.
 */
import { daysFromIsoDate, isoDateFromDays } from '../generate-random.js';

/** The day the population is "as of": nobody is born, moves, marries or enlists after it. */
export const REFERENCE_DATE = '2025-12-31';
export const REFERENCE_DAY = daysFromIsoDate(REFERENCE_DATE);

/** The same calendar day `years` later (29 February becomes 28 February in common years). */
export function plusYears(day: number, years: number): number {
  const iso = isoDateFromDays(day);
  const year = Number(iso.slice(0, 4)) + years;
  const rest = iso.slice(4) === '-02-29' && !isLeap(year) ? '-02-28' : iso.slice(4);
  return daysFromIsoDate(`${String(year).padStart(4, '0')}${rest}`);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export const yearOf = (day: number): number => Number(isoDateFromDays(day).slice(0, 4));

/** Completed years between birth and day. */
export function ageAt(birth: number, day: number): number {
  const b = isoDateFromDays(birth);
  const d = isoDateFromDays(day);
  const years = Number(d.slice(0, 4)) - Number(b.slice(0, 4));
  return d.slice(5) < b.slice(5) ? years - 1 : years;
}

export { daysFromIsoDate, isoDateFromDays };
