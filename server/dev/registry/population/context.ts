/** What a record override reads: the subject's life, their business, and a few shared helpers. */
import type { Random } from '../generate-random.js';
import type { SyntheticCorporation, SyntheticPerson } from '../generate-subjects.js';
import { isoDateFromDays } from './calendar.js';
import type { Life } from './life.js';

export type Rec = Record<string, unknown>;

export interface RecordContext {
  readonly rng: Random;
  readonly seed: number;
  /** The person the record is about, or a corporation's representative. */
  readonly person: SyntheticPerson;
  readonly life: Life;
  /** The business: the subject corporation, or a person's sole proprietorship. */
  readonly corporation: SyntheticCorporation;
  /** The subject's parcel: a person's home, a corporation's site. */
  readonly parcelNumber: string;
  /** Who the record is about (objects belong to either). */
  readonly subjectKind: 'person' | 'corporation';
  /** Name of corporation c (employers). */
  readonly corporationName: (c: number) => string;
  readonly corporationBrn: (c: number) => string;
  /** Day corporation c was incorporated. */
  readonly incorporated: (c: number) => number;
}

export type Override = (record: Rec, c: RecordContext) => void;

export const iso = isoDateFromDays;
export const maskRrn = (rrn: string): string => `${rrn.slice(0, 6)}-${rrn.charAt(6)}******`;
export const between = (rng: Random, lo: number, hi: number): number =>
  hi <= lo ? lo : lo + rng.int(hi - lo + 1);
