/**
 * The separate steps of the approval screen (PIPA arts. 23 and 24; separate-consent.ts): one box
 * for sensitive information and one for unique identifiers, each naming every item it covers, never
 * ticked in advance. The items are left out of the ordinary list above them, so agreeing to the
 * request does not agree to them; an unticked box withholds only its items.
 */
import type { Catalog, RecordType } from '../catalog/catalog.types.js';
import { fieldLabel } from '../web/field-labels.js';
import { html, type SafeHtml } from '../web/html.js';
import { defineMessages, t, type Lang } from '../web/i18n.js';
import type { ConsentRecord } from './consents.types.js';
import { flaggedFields, SEPARATE_KINDS, separateItems, type SeparateKind } from './separate-consent.js';

defineMessages({
  ko: {
    'consent.separate.sensitive.title': '민감정보 처리에 대한 별도 동의',
    'consent.separate.sensitive.intro':
      '「개인정보 보호법」 제23조에 따라 아래의 민감정보(건강·장애 등)는 다른 항목과 구분하여 따로 동의를 받습니다. 체크하지 않으면 이 항목들만 제공되지 않고, 나머지 동의에는 영향이 없습니다.',
    'consent.separate.sensitive.agree': '위 민감정보를 {org}에 제공하는 데 동의합니다.',
    'consent.separate.unique-identifier.title': '고유식별정보 처리에 대한 별도 동의',
    'consent.separate.unique-identifier.intro':
      '「개인정보 보호법」 제24조에 따라 아래의 고유식별정보(주민등록번호·여권번호·운전면허번호·외국인등록번호)는 다른 항목과 구분하여 따로 동의를 받습니다. 체크하지 않으면 이 항목들만 제공되지 않고, 나머지 동의에는 영향이 없습니다.',
    'consent.separate.unique-identifier.agree': '위 고유식별정보를 {org}에 제공하는 데 동의합니다.',
  },
  en: {
    'consent.separate.sensitive.title': 'Separate consent: sensitive information',
    'consent.separate.sensitive.intro':
      'Under art. 23 of the Personal Information Protection Act, the sensitive information below (health, disability and the like) needs its own consent, apart from the rest. If you leave the box unticked, only these items are withheld; the rest of your answer stands.',
    'consent.separate.sensitive.agree': 'I agree to {org} receiving the sensitive information above.',
    'consent.separate.unique-identifier.title': 'Separate consent: unique identifiers',
    'consent.separate.unique-identifier.intro':
      'Under art. 24 of the Personal Information Protection Act, the unique identifiers below (resident registration, passport, driving licence or foreigner registration number) need their own consent, apart from the rest. If you leave the box unticked, only these items are withheld; the rest of your answer stands.',
    'consent.separate.unique-identifier.agree': 'I agree to {org} receiving the unique identifiers above.',
  },
  ja: {
    'consent.separate.sensitive.title': '要配慮情報についての個別の同意',
    'consent.separate.sensitive.intro':
      '韓国の個人情報保護法第23条により、以下の要配慮情報（健康・障害など）は他の項目とは別に同意をいただきます。チェックしない場合、これらの項目だけが提供されず、その他の回答には影響しません。',
    'consent.separate.sensitive.agree': '上記の要配慮情報を{org}に提供することに同意します。',
    'consent.separate.unique-identifier.title': '固有識別情報についての個別の同意',
    'consent.separate.unique-identifier.intro':
      '韓国の個人情報保護法第24条により、以下の固有識別情報（住民登録番号・旅券番号・運転免許番号・外国人登録番号）は他の項目とは別に同意をいただきます。チェックしない場合、これらの項目だけが提供されず、その他の回答には影響しません。',
    'consent.separate.unique-identifier.agree': '上記の固有識別情報を{org}に提供することに同意します。',
  },
});

const FIELD_SEPARATOR = '|';

/** Whether a field of the ordinary list is one of the separate steps' items instead. */
export function askedApart(type: RecordType, field: string): boolean {
  const flagged = flaggedFields(type);
  return flagged.sensitive.includes(field) || flagged['unique-identifier'].includes(field);
}

/** The separate steps for a request; empty when it asks for no flagged field. */
export function separateSteps(
  lang: Lang,
  catalog: Pick<Catalog, 'get'>,
  record: ConsentRecord,
  org: string,
): SafeHtml[] {
  const asked = Object.fromEntries(
    Object.entries(record.fieldsRequested).map(([rt, f]) => [rt, [...f.required, ...f.optional]]),
  );
  const items = separateItems(catalog, asked);
  return SEPARATE_KINDS.filter((kind) => items[kind]).map((kind) => {
    const entries = Object.entries(items[kind]!).flatMap(([rt, fields]) => {
      const type = catalog.get(rt);
      return fields.map((field) => ({
        rt,
        field,
        type,
        optional: record.fieldsRequested[rt]!.optional.includes(field),
      }));
    });
    const inputId = `separate-${kind}`;
    return html`<fieldset class="record separate" id="step-${kind}">
      <legend>${t(lang, `consent.separate.${kind}.title`)}</legend>
      <p class="notice">${t(lang, `consent.separate.${kind}.intro`)}</p>
      <ul class="fields">
        ${entries.map(({ rt, field, type, optional }) => {
          const label = fieldLabel(lang, type, field);
          // An optional item is kept with the rest of the answer; the box below decides whether it goes.
          const keep = optional
            ? html`<input type="hidden" name="keep" value="${rt}${FIELD_SEPARATOR}${field}" />`
            : '';
          return html`<li>
            ${keep}<span lang="${label.lang}">${label.text}</span>
            <span class="tag">${type.names[lang]}</span>
          </li>`;
        })}
      </ul>
      <label for="${inputId}">
        <input type="checkbox" id="${inputId}" name="separate" value="${kind}" />
        <span>${t(lang, `consent.separate.${kind}.agree`, { org })}</span>
      </label>
    </fieldset>`;
  });
}

/** The separate boxes the citizen ticked, from the posted form. */
export function separateTicks(body: Record<string, unknown>): SeparateKind[] {
  const raw = Array.isArray(body.separate)
    ? body.separate
    : body.separate === undefined
      ? []
      : [body.separate];
  return SEPARATE_KINDS.filter((kind) => raw.map(String).includes(kind));
}
