/**
 * Small deterministic PRNG (mulberry32) seeded by mixing seed, subject index and a salt, so any
 * subject can be regenerated on its own without generating the ones before it.
 */
export class Random {
  private state: number;

  constructor(seed: number, index: number, salt = 0) {
    this.state = mix(mix(mix(seed | 0) ^ (index | 0)) ^ Math.floor(index / 4294967296) ^ (salt | 0));
  }

  /** Uniform 32-bit unsigned integer. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Integer in [0, n). The modulo bias is irrelevant for synthetic data. */
  int(n: number): number {
    return this.next() % n;
  }

  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  chance(p: number): boolean {
    return this.next() < p * 4294967296;
  }
}

/** murmur3 finaliser: spreads neighbouring indices over the whole 32-bit space. */
export function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** Days since 1970-01-01 → YYYY-MM-DD, arithmetic only (H. Hinnant's civil_from_days). */
export function isoDateFromDays(days: number): string {
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
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

export function daysFromIsoDate(iso: string): number {
  return Math.floor(
    Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86400000,
  );
}

export function padNumber(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
