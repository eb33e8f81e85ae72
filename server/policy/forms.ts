/**
 * The value forms a policy can give a field: how each transforms a value, which field types it
 * accepts, and what the released value looks like as JSON Schema. Predicates live in
 * predicates.ts because they read several fields; their released shape (boolean) is here.
 */
import { createHmac, type BinaryLike, type KeyObject } from 'node:crypto';
import canonicalizeCjs from 'canonicalize';
import { ageOn, parseCivilDate } from './dates.js';
import type { FieldForm, PolicyFieldSchema } from './policy.types.js';

// CommonJS typed as an ES default: the runtime default import is the function itself.
const canonicalize = canonicalizeCjs as unknown as typeof canonicalizeCjs.default;

export type ValueForm = Exclude<FieldForm, { form: 'deny' } | { form: 'predicate' }>;

export interface FormContext {
  readonly now: Date;
  /** Pairwise hashes are per requester: the same value hashes differently for two organisations. */
  readonly requesterId: string;
  readonly pairwiseKey?: BinaryLike | KeyObject;
}

/** The value cannot take the form (wrong type, unparsable date); the engine fails closed. */
export class FormInputError extends Error {
  constructor(form: string, detail: string) {
    super(`${form}: ${detail}`);
    this.name = 'FormInputError';
  }
}

export const maskPresets = {
  /** Resident registration number: birth date kept, back 7 digits hidden (900101-*******). */
  'rrn-back7': { keepStart: 6, keepEnd: 0, preserve: '-' },
  /** Personal name: first and last character kept (홍*동). */
  name: { keepStart: 1, keepEnd: 1, preserve: ' ' },
  /** Phone number: prefix and last four digits kept (010-****-5678). */
  phone: { keepStart: 3, keepEnd: 4, preserve: '- ' },
} as const;

export type MaskPreset = keyof typeof maskPresets;

export const HASH_PATTERN = '^[A-Za-z0-9_-]{43}$';
const HASH_DOMAIN = 'juc-pairwise-v1';

function scalarText(form: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new FormInputError(form, `expects a string or number, got ${typeof value}`);
}

function mask(f: Extract<FieldForm, { form: 'mask' }>, value: unknown): string {
  const chars = Array.from(scalarText('mask', value));
  const maskable = chars.filter((c) => !f.preserve.includes(c)).length;
  let keepStart = f.keepStart;
  let keepEnd = f.keepEnd;
  // A mask that would show every character is a policy slip; always hide at least one.
  if (maskable > 0 && keepStart + keepEnd >= maskable) {
    keepStart = Math.min(keepStart, maskable - 1);
    keepEnd = Math.max(0, maskable - 1 - keepStart);
  }
  let index = 0;
  return chars
    .map((c) => {
      if (f.preserve.includes(c)) return c;
      const i = index++;
      return i < keepStart || i >= maskable - keepEnd ? c : f.char;
    })
    .join('');
}

export function bracketLabels(bounds: readonly number[]): string[] {
  const labels = [`(,${bounds[0]})`];
  for (let i = 0; i < bounds.length - 1; i++) labels.push(`[${bounds[i]},${bounds[i + 1]})`);
  labels.push(`[${bounds[bounds.length - 1]},)`);
  return labels;
}

function bracket(bounds: readonly number[], value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new FormInputError('bracket', 'expects a number');
  const labels = bracketLabels(bounds);
  const above = bounds.filter((b) => value >= b).length;
  return labels[above] as string;
}

function ageBand(f: Extract<FieldForm, { to: 'age_band' }>, value: unknown, now: Date): string {
  const age = ageOn(value, now);
  if (age === undefined || age < 0) throw new FormInputError('age_band', 'expects a past date');
  if (age >= f.max) return `${f.max}+`;
  const low = Math.floor(age / f.width) * f.width;
  return `${low}-${Math.min(low + f.width, f.max) - 1}`;
}

function district(depth: number, value: unknown): string {
  if (typeof value !== 'string') throw new FormInputError('district', 'expects an address string');
  return value.trim().split(/\s+/u).slice(0, depth).join(' ');
}

export function pairwiseHash(key: BinaryLike | KeyObject, requesterId: string, value: unknown): string {
  const canonical = canonicalize(value);
  if (canonical === undefined) throw new FormInputError('hash', 'value is not JSON');
  return createHmac('sha256', key)
    .update(`${HASH_DOMAIN}\0${requesterId}\0`)
    .update(canonical)
    .digest('base64url');
}

export function applyForm(form: ValueForm, value: unknown, ctx: FormContext): unknown {
  switch (form.form) {
    case 'full':
      return value;
    case 'hash':
      if (ctx.pairwiseKey === undefined) throw new FormInputError('hash', 'no pairwise key configured');
      return pairwiseHash(ctx.pairwiseKey, ctx.requesterId, value);
    case 'mask':
      return mask(form, value);
    case 'truncate':
      return Array.from(scalarText('truncate', value)).slice(0, form.length).join('');
    case 'generalise':
      switch (form.to) {
        case 'year': {
          const date = parseCivilDate(value);
          if (!date) throw new FormInputError('year', 'expects a date');
          return date.year;
        }
        case 'age_band':
          return ageBand(form, value, ctx.now);
        case 'district':
          return district(form.depth, value);
        case 'bracket':
          return bracket(form.bounds, value);
      }
  }
}

const DATE_FORMATS = ['date', 'date-time'];

/** Why `form` cannot apply to a field of this schema, or undefined if it can. */
export function formMismatch(form: ValueForm, field: PolicyFieldSchema): string | undefined {
  const type = field.type;
  const scalar = type === 'string' || type === 'integer' || type === 'number';
  switch (form.form) {
    case 'full':
    case 'hash':
      return undefined;
    case 'mask':
    case 'truncate':
      return scalar ? undefined : `${form.form} needs a string or number field, not ${String(type)}`;
    case 'generalise':
      if (form.to === 'year' || form.to === 'age_band') {
        return type === 'string' && DATE_FORMATS.includes(String(field.format))
          ? undefined
          : `generalise to ${form.to} needs a date field`;
      }
      if (form.to === 'district')
        return type === 'string' ? undefined : 'generalise to district needs a string';
      return type === 'integer' || type === 'number' ? undefined : 'generalise to bracket needs a number';
  }
}

function describedBy(field: PolicyFieldSchema | undefined): Record<string, unknown> {
  return typeof field?.description === 'string' ? { description: field.description } : {};
}

/** JSON Schema of the released value of a field given this form. */
export function releasedSchema(
  form: Exclude<FieldForm, { form: 'deny' }>,
  field?: PolicyFieldSchema,
): object {
  const described = describedBy(field);
  switch (form.form) {
    case 'full':
      return { ...(field ?? {}) };
    case 'hash':
      return { ...described, type: 'string', pattern: HASH_PATTERN };
    case 'mask':
      return { ...described, type: 'string' };
    case 'truncate':
      return { ...described, type: 'string', maxLength: form.length };
    case 'predicate':
      return { type: 'boolean' };
    case 'generalise':
      switch (form.to) {
        case 'year':
          return { ...described, type: 'integer' };
        case 'age_band':
          return { ...described, type: 'string', pattern: '^[0-9]+(-[0-9]+|\\+)$' };
        case 'district':
          return { ...described, type: 'string' };
        case 'bracket':
          return { ...described, type: 'string', enum: bracketLabels(form.bounds) };
      }
  }
}
