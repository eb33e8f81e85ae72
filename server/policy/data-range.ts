/**
 * Data-range bounds at release. A purpose reaches back at most maxDataRangeDays, and a consent may
 * name a narrower range; what is dated outside the window does not leave. The catalog says which
 * date places a value in time (`x-date` on a date field, checked by the catalog checks):
 * - inside an array entry, `on` dates the entry by an event, `from`/`until` by a period (an empty
 *   end is open); an entry outside the window is dropped from its list;
 * - on a top-level field, `on` dates the field itself, which is withheld when outside.
 * An entry whose date is missing or unreadable cannot be shown to be inside, so it is dropped too.
 */
import { calendarDate, isoDate } from './dates.js';
import { joinPath } from './nested.js';
import type { DataRangeBounds, PolicyFieldSchema } from './policy.types.js';

/** Civil dates, both ends included. */
export interface DataWindow {
  readonly from: string;
  readonly to: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function daysBefore(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) - days * DAY_MS).toISOString().slice(0, 10);
}

/** The window on the clock date in Korea: the purpose's reach, narrowed by the consent's range. */
export function dataWindow(bounds: DataRangeBounds, now: Date): DataWindow {
  const today = calendarDate(now);
  let from = bounds.maxDays === undefined ? '0000-01-01' : daysBefore(today, bounds.maxDays);
  let to = today;
  if (bounds.from !== undefined && bounds.from > from) from = bounds.from;
  if (bounds.to !== undefined && bounds.to < to) to = bounds.to;
  return { from, to };
}

interface EntryDates {
  on?: string;
  from?: string;
  until?: string;
}

function entryDates(items: PolicyFieldSchema | undefined): EntryDates | undefined {
  const dates: EntryDates = {};
  for (const [name, field] of Object.entries(items?.properties ?? {})) {
    const role = field['x-date'];
    if (role) dates[role] = name;
  }
  return Object.keys(dates).length > 0 ? dates : undefined;
}

function inWindow(dates: EntryDates, entry: unknown, w: DataWindow): boolean {
  if (typeof entry !== 'object' || entry === null) return false;
  const e = entry as Record<string, unknown>;
  if (dates.on !== undefined) {
    const on = isoDate(e[dates.on]);
    if (on === undefined || on < w.from || on > w.to) return false;
  }
  if (dates.from !== undefined) {
    const start = isoDate(e[dates.from]);
    if (start === undefined || start > w.to) return false;
    const endValue = dates.until === undefined ? undefined : e[dates.until];
    if (endValue !== undefined && endValue !== null) {
      const end = isoDate(endValue);
      if (end === undefined || end < w.from) return false;
    }
  }
  return true;
}

// The dates that decide, for explain: `/addressHistory/*/movedInDate`.
export function datingFields(name: string, schema: PolicyFieldSchema | undefined): string[] {
  const out: string[] = [];
  const visit = (s: PolicyFieldSchema, path: string[]): void => {
    if (s.type === 'array' && s.items) {
      for (const field of Object.values(entryDates(s.items) ?? {})) out.push(joinPath([...path, '*', field]));
      visit(s.items, [...path, '*']);
    }
    for (const [child, c] of Object.entries(s.properties ?? {})) visit(c, [...path, child]);
  };
  if (!schema) return out;
  if (schema['x-date'] === 'on') out.push(joinPath([name]));
  visit(schema, [name]);
  return out;
}

const OUTSIDE = Symbol('outside');

function windowed(
  schema: PolicyFieldSchema,
  value: unknown,
  w: DataWindow,
  path: string[],
  dropped: Set<string>,
): unknown {
  if (schema.type === 'array' && schema.items && Array.isArray(value)) {
    const dates = entryDates(schema.items);
    const items = schema.items;
    const kept: unknown[] = [];
    for (const entry of value) {
      if (dates && !inWindow(dates, entry, w)) {
        dropped.add(joinPath([...path, '*']));
        continue;
      }
      kept.push(windowed(items, entry, w, [...path, '*'], dropped));
    }
    return kept;
  }
  if (schema.properties && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const s = schema.properties[key];
      out[key] = s ? windowed(s, child, w, [...path, key], dropped) : child;
    }
    return out;
  }
  return value;
}

/**
 * The value of top-level field `name` inside the window (OUTSIDE when the field itself is dated
 * outside it), adding to `dropped` the path of every list that lost entries.
 */
export function windowField(
  name: string,
  schema: PolicyFieldSchema | undefined,
  value: unknown,
  w: DataWindow,
  dropped: Set<string>,
): unknown {
  if (!schema || value === undefined || value === null) return value;
  if (schema['x-date'] === 'on') {
    const on = isoDate(value);
    if (on === undefined || on < w.from || on > w.to) {
      dropped.add(joinPath([name]));
      return OUTSIDE;
    }
  }
  return windowed(schema, value, w, [name], dropped);
}

export function isOutside(value: unknown): boolean {
  return value === OUTSIDE;
}
