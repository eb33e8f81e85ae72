/**
 * A released value in plain words (pure): yes/no, ₩ amounts, codes in words, lists and nested records with
 * their members' labels. An identifier inside a nested value (a household member's resident registration
 * number, a family entry's number) is shown masked unless the policy released that very path in full for this
 * purpose; the cell says which (issue 20, problem 4). The page shows exactly what was released, never more.
 */
import type { FieldSchema, ItemSchema, RecordType } from '../../catalog/catalog.types.js';
import type { ReleasedField } from '../../audit/audit.types.js';
import { codeFields, codeText, koreanFieldLabel, wonFields } from '../../web/catalog-text.js';
import { japaneseFieldLabels } from '../../web/field-labels.js';
import { html, type SafeHtml } from '../../web/html.js';
import { formatWon, t, type Lang } from '../../web/i18n.js';

/** What renderValue needs to know about the record type and the release. */
export interface ValueContext {
  won: ReadonlySet<string>;
  codes: ReadonlyMap<string, 'country' | 'code'>;
  /** The top-level field's schema (nested identifiers are found through it). */
  schema?: FieldSchema | ItemSchema | undefined;
  /** Forms the policy gave to nested paths ('/members/*\/residentRegistrationNumber' → 'mask'). */
  nested: readonly ReleasedField[];
  /** The top-level field's own form (an identifier at the top is masked unless this is 'full'). */
  topForm?: string;
}

export function valueContext(type: RecordType | undefined, fields: readonly ReleasedField[]): ValueContext {
  return {
    won: type ? wonFields(type) : new Set(),
    codes: type ? codeFields(type) : new Map(),
    nested: fields.filter((f) => f.name.startsWith('/')),
  };
}

/** The nested form the policy gave to a concrete path, matching `*` segments of the policy's paths. */
export function nestedFormAt(nested: readonly ReleasedField[], path: readonly string[]): string | undefined {
  const found = nested.find((f) => {
    const segments = f.name.split('/').slice(1);
    return segments.length === path.length && segments.every((s, i) => s === '*' || s === path[i]);
  });
  return found?.form;
}

/** A display mask for an identifier the policy did not release whole: the birth date part of an RRN, else a third. */
export function maskIdentifier(value: string): string {
  const compact = value.replace(/-/g, '');
  if (/^\d{6}[\d*]{7}$/.test(compact)) {
    const back = compact.slice(6);
    return `${compact.slice(0, 6)}-${back.includes('*') ? back : '*******'}`;
  }
  if (value.includes('*')) return value;
  const keep = Math.ceil(value.length / 3);
  return value.slice(0, keep) + '*'.repeat(value.length - keep);
}

const formatRrn = (value: string) =>
  /^\d{13}$/.test(value) ? `${value.slice(0, 6)}-${value.slice(6)}` : value;

function childSchema(schema: ValueContext['schema'], key: string | number): ValueContext['schema'] {
  if (!schema) return undefined;
  if (typeof key === 'number') return schema.items;
  return schema.properties?.[key];
}

/** A code without a translation in words rather than as a code: 'household-split' → "Household split" (English). */
export function codeWords(lang: Lang, code: string): SafeHtml {
  const words = code
    .replace(/[-_]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  const text = words.charAt(0).toUpperCase() + words.slice(1);
  return lang === 'en' ? html`${text}` : html`<span lang="en">${text}</span>`;
}

/** A nested member's name in plain words: the Korean or Japanese label where known, else its words spaced out. */
export function nestedLabel(lang: Lang, key: string): SafeHtml {
  const korean = lang === 'ko' ? koreanFieldLabel(key) : undefined;
  if (korean) return html`${korean}`;
  if (lang === 'ja' && japaneseFieldLabels[key]) return html`${japaneseFieldLabels[key]}`;
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const text = words.charAt(0).toUpperCase() + words.slice(1);
  return lang === 'en' ? html`${text}` : html`<span lang="en">${text}</span>`;
}

function nestedIdentifier(lang: Lang, value: string, form: string | undefined): SafeHtml {
  if (form === 'full' && !value.includes('*')) {
    return html`<span class="identifier">${formatRrn(value)}</span>
      <span class="tag">${t(lang, 'console.result.nestedFull')}</span>`;
  }
  return html`<span class="identifier" data-masked>${maskIdentifier(value)}</span>
    <span class="tag">${t(lang, 'console.result.nestedMasked')}</span>`;
}

/** Renders a released value; `path` is the JSON path below the top-level field (empty at the top). */
export function renderValue(
  lang: Lang,
  value: unknown,
  ctx: ValueContext,
  key: string,
  path: readonly string[] = [],
): SafeHtml {
  if (value === null || value === undefined || value === '') return html`${t(lang, 'console.result.empty')}`;
  if (typeof value === 'boolean') return html`${t(lang, value ? 'console.result.yes' : 'console.result.no')}`;
  if (typeof value === 'number' && ctx.won.has(key)) return html`${formatWon(lang, value)}`;
  if (typeof value === 'string' && ctx.schema?.['x-sensitivity'] === 'identifier') {
    // Nested: masked unless that path was released in full. At the top the form column already says which.
    if (path.length > 1) return nestedIdentifier(lang, value, nestedFormAt(ctx.nested, path));
    if (ctx.topForm === 'mask') return html`<span class="identifier">${maskIdentifier(value)}</span>`;
    if (ctx.topForm === 'full') return html`<span class="identifier">${formatRrn(value)}</span>`;
  }
  const kind = typeof value === 'string' ? ctx.codes.get(key) : undefined;
  if (kind) {
    const words = codeText(lang, kind, key, value as string);
    if (words) return html`${words}`;
    return codeWords(lang, value as string);
  }
  if (typeof value !== 'object') return html`${String(value)}`;
  if (path.length > 6) return html`<code>${JSON.stringify(value)}</code>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return html`${t(lang, 'console.result.empty')}`;
    const items = childSchema(ctx.schema, 0);
    return html`<ul class="value-list">
      ${value.map(
        (v, i) =>
          html`<li>${renderValue(lang, v, { ...ctx, schema: items }, key, [...path, String(i)])}</li>`,
      )}
    </ul>`;
  }
  return html`<dl class="value-record">
    ${Object.entries(value as Record<string, unknown>).map(
      ([k, v]) =>
        html`<dt>${nestedLabel(lang, k)}</dt>
          <dd>${renderValue(lang, v, { ...ctx, schema: childSchema(ctx.schema, k) }, k, [...path, k])}</dd>`,
    )}
  </dl>`;
}

/** A released field's form in words ('mask' → "partly masked"); an unknown form is shown as it is. */
export function formExplained(lang: Lang, form: string): string {
  const kind = form.split(':')[0] ?? form;
  const key = `console.fieldForm.${kind}`;
  const text = t(lang, key);
  return text === key ? form : text;
}
