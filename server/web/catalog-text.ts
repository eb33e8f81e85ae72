/**
 * Catalogue words the catalogue files do not carry in every language: Korean field labels, record-type
 * descriptions, yes/no check sentences and identifier-scheme names (catalog-text.ko.json), code values in
 * Korean and Japanese (catalog-text.ko.json, catalog-text.ja.json), legal bases in Korean and Japanese
 * (legal-acts.json: act names, with "art. 5-2" read as 제5조의2 / 第5条の2), and which fields are won amounts.
 * Anything not found falls back to the English text, which the pages mark lang="en".
 */
import type { FactCheck, FieldSchema, RecordType } from '../catalog/catalog.types.js';
import { isIdentifierSchemeId, identifierSchemes } from '../catalog/identifiers/index.js';
import acts from './legal-acts.json' with { type: 'json' };
import japanese from './catalog-text.ja.json' with { type: 'json' };
import korean from './catalog-text.ko.json' with { type: 'json' };
import type { Lang } from './i18n.js';

export interface LocalText {
  text: string;
  /** The language the text is in (may differ from the page's: fallback). */
  lang: Lang;
}

const KO_FIELDS: Readonly<Record<string, string>> = korean.fields;
const KO_FACT_CHECKS: Readonly<Record<string, string>> = korean.factChecks;
const KO_SCHEMES: Readonly<Record<string, string>> = korean.identifierSchemes;
const KO_DESCRIPTIONS: Readonly<Record<string, string>> = korean.recordDescriptions;
const ACTS: Readonly<Record<string, { ko: string; ja: string }>> = acts.acts;

export const koreanFieldLabels: Readonly<Record<string, string>> = KO_FIELDS;

export function koreanFieldLabel(field: string): string | undefined {
  return Object.hasOwn(KO_FIELDS, field) ? KO_FIELDS[field] : undefined;
}

/** A yes/no check as a sentence in the page's language. */
export function factCheckText(lang: Lang, check: FactCheck): LocalText {
  if (lang === 'ko' && Object.hasOwn(KO_FACT_CHECKS, check.id))
    return { text: KO_FACT_CHECKS[check.id]!, lang };
  if (lang === 'ja') return { text: check.description.ja, lang };
  return { text: check.description.en, lang: 'en' };
}

/** The record type's description in the page's language (Korean from catalog-text.ko.json). */
export function recordDescription(lang: Lang, type: RecordType): LocalText {
  if (lang === 'ko') {
    return Object.hasOwn(KO_DESCRIPTIONS, type.id)
      ? { text: KO_DESCRIPTIONS[type.id]!, lang }
      : { text: type.description.en, lang: 'en' };
  }
  return { text: type.description[lang], lang };
}

export function schemeName(lang: Lang, scheme: string): string {
  if (!isIdentifierSchemeId(scheme)) return scheme;
  if (lang === 'ko') return KO_SCHEMES[scheme] ?? identifierSchemes[scheme].names.en;
  return identifierSchemes[scheme].names[lang];
}

/** "Building Act art. 11; Patent Act art. 101-2" → "건축법 제11조; 특허법 제101조의2" (ko) or "建築法第11条…" (ja). */
export function legalBasisText(lang: Lang, basis: string): LocalText {
  if (lang === 'en') return { text: basis, lang };
  let previousAct: { ko: string; ja: string } | undefined;
  const parts: string[] = [];
  for (const part of basis.split(';').map((p) => p.trim())) {
    const m = /^(.*?)\s*art\.\s*([\d]+(?:-\d+)?(?:[–-]\d+)?)$/.exec(part);
    const actName = m?.[1]?.trim();
    const act =
      actName === 'Enforcement Decree' && previousAct
        ? { ko: `${previousAct.ko} 시행령`, ja: `${previousAct.ja}施行令` }
        : actName
          ? ACTS[actName]
          : undefined;
    if (!m || !act) return { text: basis, lang: 'en' };
    parts.push(`${act[lang]}${lang === 'ko' ? ' ' : ''}${article(lang, m[2]!)}`);
    previousAct = act;
  }
  return { text: parts.join(lang === 'ko' ? '; ' : '、'), lang };
}

function article(lang: Lang, ref: string): string {
  const range = /^(\d+)–(\d+)$/.exec(ref);
  if (range) return lang === 'ko' ? `제${range[1]}조~제${range[2]}조` : `第${range[1]}条～第${range[2]}条`;
  const [main, branch] = ref.split('-');
  if (lang === 'ko') return `제${main}조${branch ? `의${branch}` : ''}`;
  return `第${main}条${branch ? `の${branch}` : ''}`;
}

/** Names of the fields (at any depth) whose values are won amounts: their description says "in KRW". */
export function wonFields(type: RecordType): ReadonlySet<string> {
  const names = new Set<string>();
  const walk = (properties: Readonly<Record<string, FieldSchema>> | undefined) => {
    for (const [name, schema] of Object.entries(properties ?? {})) {
      if (/\bin KRW\b/.test(schema.description)) names.add(name);
      walk(schema.properties);
      walk(schema.items?.properties);
    }
  };
  walk(type.schema.properties);
  return names;
}

type Words = Readonly<Record<string, string>>;
/** Code values in words: the generic word for a value, and field-specific words where they differ. */
const CODES: Partial<Record<Lang, { values: Words; byField: Words }>> = {
  ko: { values: korean.codeValues, byField: korean.fieldCodeValues },
  ja: { values: japanese.codeValues, byField: japanese.fieldCodeValues },
};
const REGION_NAMES = new Map<Lang, Intl.DisplayNames>();

/** Fields (at any depth) whose values are codes from an enum, with whether the codes are ISO 3166 countries. */
export function codeFields(type: RecordType): ReadonlyMap<string, 'country' | 'code'> {
  const fields = new Map<string, 'country' | 'code'>();
  const walk = (properties: Readonly<Record<string, FieldSchema>> | undefined) => {
    for (const [name, schema] of Object.entries(properties ?? {})) {
      if (schema.enum || schema.items?.enum) {
        fields.set(name, /ISO 3166/.test(schema.description) ? 'country' : 'code');
      }
      walk(schema.properties);
      walk(schema.items?.properties);
    }
  };
  walk(type.schema.properties);
  return fields;
}

/**
 * A code value in words: countries by Intl.DisplayNames in every language; other codes in Korean and Japanese
 * from catalog-text.*.json (a field-specific word first, e.g. sizeClass "medium" is 중기업, not 중형). English
 * pages and codes without a word show the code itself (the codes are English words).
 */
export function codeText(
  lang: Lang,
  kind: 'country' | 'code',
  field: string,
  value: string,
): string | undefined {
  if (kind === 'country') {
    let names = REGION_NAMES.get(lang);
    if (!names) {
      names = new Intl.DisplayNames([{ ko: 'ko-KR', en: 'en-GB', ja: 'ja-JP' }[lang]], { type: 'region' });
      REGION_NAMES.set(lang, names);
    }
    return names.of(value);
  }
  const words = CODES[lang];
  if (!words) return undefined;
  const specific = `${field}:${value}`;
  if (Object.hasOwn(words.byField, specific)) return words.byField[specific];
  return Object.hasOwn(words.values, value) ? words.values[value] : undefined;
}
