import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import IntlMessageFormat from 'intl-messageformat';
import {
  codeFields,
  codeText,
  factCheckText,
  legalBasisText,
  recordDescription,
  schemeName,
  wonFields,
} from '../../../server/web/catalog-text.js';
import { fieldLabel } from '../../../server/web/field-labels.js';
import {
  chooseLang,
  CLIENT_TEMPLATE_KEYS,
  formatDate,
  formatDateTime,
  formatWon,
  LANGS,
  messageKeys,
  messageParams,
  messageSource,
  parseCookies,
  t,
} from '../../../server/web/i18n.js';
import { identifierSchemeIds } from '../../../server/catalog/identifiers/index.js';
import { testCatalog } from '../../support/app.js';

const LOCALE = { ko: 'ko-KR', en: 'en-GB', ja: 'ja-JP' } as const;

/** Every server file that registers messages, found by its call, so a new catalogue cannot escape the checks. */
function filesDefiningMessages(dir = 'server'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesDefiningMessages(path);
    return path.endsWith('.ts') && /\bdefineMessages\(\{/.test(readFileSync(path, 'utf8')) ? [path] : [];
  });
}

describe('web i18n: Korean first, ICU messages, Korean time and won amounts', () => {
  before(async () => {
    const files = filesDefiningMessages();
    expect(files.length).to.be.greaterThan(6);
    for (const file of files) await import(pathToFileURL(join(process.cwd(), file)).href);
  });

  it('has every key in Korean, English and Japanese (no language has a key another lacks)', () => {
    const ko = messageKeys('ko').sort();
    const missing = LANGS.flatMap((lang) =>
      [...new Set([...ko, ...messageKeys('en'), ...messageKeys('ja')])]
        .filter((key) => messageSource(lang, key) === undefined)
        .map((key) => `${lang}: ${key}`),
    );
    expect(missing).to.deep.equal([]);
    expect(ko.length).to.be.greaterThan(400);
  });

  it('parses every message as ICU MessageFormat, with the same parameters in all three languages', () => {
    const problems: string[] = [];
    for (const key of messageKeys('en')) {
      const params: Partial<Record<string, string>> = {};
      for (const lang of LANGS) {
        const source = messageSource(lang, key)!;
        try {
          new IntlMessageFormat(source, LOCALE[lang], undefined, { ignoreTag: true });
          params[lang] = messageParams(source, lang).join(',');
        } catch (err) {
          problems.push(`${lang} ${key}: ${(err as Error).message}`);
        }
      }
      if (params.ko !== params.en || params.ja !== params.en) {
        problems.push(`${key}: ko(${params.ko}) en(${params.en}) ja(${params.ja})`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('finds a parameter one language lacks (the check above can fail)', () => {
    expect(messageParams('{n, plural, one {# day} other {# days}} from {date}')).to.deep.equal(['date', 'n']);
    expect(messageParams('{value}{unit, select, day {일} other {년}}', 'ko')).to.deep.equal([
      'unit',
      'value',
    ]);
    expect(() => new IntlMessageFormat('{n, plural, one {# day}', 'en')).to.throw();
  });

  it('keeps the messages filled by browser scripts to plain {name} arguments', () => {
    for (const key of CLIENT_TEMPLATE_KEYS) {
      for (const lang of LANGS) {
        expect(messageSource(lang, key), `${lang} ${key}`).not.to.match(/\{\w+,/);
      }
    }
  });

  it('formats plurals per language ("1 day", not "1 days")', () => {
    expect(t('en', 'consent.durationValue', { days: 1 })).to.equal('1 day from your approval');
    expect(t('en', 'consent.durationValue', { days: 30 })).to.equal('30 days from your approval');
    expect(t('ko', 'consent.durationValue', { days: 1 })).to.equal('동의한 날부터 1일');
    expect(t('ja', 'consent.durationValue', { days: 30 })).to.equal('同意から30日間');
    expect(t('en', 'consent.retentionValue', { value: 1, unit: 'year' })).to.equal('1 year');
    expect(t('en', 'consent.retentionValue', { value: 6, unit: 'month' })).to.equal('6 months');
    expect(t('ko', 'consent.retentionValue', { value: 6, unit: 'month' })).to.equal('6개월');
    expect(t('en', 'history.pending', { n: 1 })).to.match(/^1 recent access is being added/);
    expect(t('ko', 'consent.intro', { org: '한빛은행' })).to.equal(
      '한빛은행에서 공동이용센터를 통해 회원님의 공공기록 일부를 열람하고자 동의를 요청합니다.',
    );
  });

  it('shows times in Korean time with the zone, dates as written, and won amounts', () => {
    const at = new Date('2026-12-07T06:04:00Z');
    expect(formatDateTime('ko', at)).to.equal('2026년 12월 7일 15:04 (KST)');
    expect(formatDateTime('en', at)).to.equal('7 December 2026 at 15:04 (KST)');
    expect(formatDateTime('ja', at)).to.equal('2026年12月7日 15:04（KST）');
    expect(formatDate('ko', '2026-01-31')).to.equal('2026년 1월 31일');
    expect(formatWon('ko', 421354854)).to.equal('₩421,354,854');
    expect(formatWon('en', 0)).to.equal('₩0');
  });

  it('chooses the language from ?lang=, then the cookie, then Accept-Language, else Korean', async () => {
    const app = express();
    app.get('/', (req, res) => {
      res.send(chooseLang(req, res));
    });
    expect((await request(app).get('/')).text).to.equal('ko');
    expect((await request(app).get('/').set('Accept-Language', 'fr, de')).text).to.equal('ko');
    expect((await request(app).get('/').set('Accept-Language', 'en-US,en;q=0.9')).text).to.equal('en');
    expect((await request(app).get('/').set('Accept-Language', 'ja;q=0.5, ko;q=0.9')).text).to.equal('ko');
    expect(
      (await request(app).get('/').set('Cookie', 'juc_lang=ja').set('Accept-Language', 'en')).text,
    ).to.equal('ja');
    const asked = await request(app).get('/?lang=en').set('Cookie', 'juc_lang=ja');
    expect(asked.text).to.equal('en');
    expect(String(asked.headers['set-cookie'])).to.match(
      /^juc_lang=en; Max-Age=31536000; Path=\/; Expires=.*HttpOnly; SameSite=Lax$/,
    );
    expect((await request(app).get('/?lang=xx').set('Cookie', 'juc_lang=bogus')).text).to.equal('ko');
  });

  it('parses cookies with the cookie package (URI-decoded values, malformed parts skipped)', () => {
    expect(parseCookies('a=1; juc_lang=ko; bad; x=%ED%95%9C')).to.deep.equal({
      a: '1',
      juc_lang: 'ko',
      x: '한',
    });
    expect(parseCookies(undefined)).to.deep.equal({});
  });

  it('labels every catalogue field in Korean and Japanese, every record description and yes/no check in Korean, and names every identifier scheme', () => {
    const catalog = testCatalog();
    const unlabelled: string[] = [];
    const walk = (
      type: ReturnType<typeof catalog.get>,
      props: Record<string, { properties?: object; items?: { properties?: object } }>,
    ) => {
      for (const [name, schema] of Object.entries(props)) {
        if (fieldLabel('ko', type, name).lang !== 'ko') unlabelled.push(`ko ${type.id}.${name}`);
        if (fieldLabel('ja', type, name).lang !== 'ja') unlabelled.push(`ja ${type.id}.${name}`);
        if (schema.properties) walk(type, schema.properties as typeof props);
        if (schema.items?.properties) walk(type, schema.items.properties as typeof props);
      }
    };
    const checks: string[] = [];
    for (const type of catalog.list()) {
      walk(type, type.schema.properties as never);
      for (const check of type.factChecks)
        if (factCheckText('ko', check).lang !== 'ko') checks.push(check.id);
      if (recordDescription('ko', type).lang !== 'ko') checks.push(`description of ${type.id}`);
    }
    expect(unlabelled).to.deep.equal([]);
    expect(checks).to.deep.equal([]);
    const resident = catalog.get('resident.registration-abstract');
    expect(fieldLabel('ko', resident, 'residentRegistrationNumber')).to.deep.equal({
      text: '주민등록번호',
      lang: 'ko',
    });
    expect(fieldLabel('ko', resident, '/members/*/residentRegistrationNumber')).to.deep.equal({
      text: '구성원 › 주민등록번호',
      lang: 'ko',
    });
    expect(fieldLabel('en', resident, '/members/0/residentRegistrationNumber').text).to.match(
      /^Household members.* › residentRegistrationNumber$/,
    );
    const employment = catalog.list().find((t) => t.factChecks.some((c) => c.id === 'employee_insured'))!;
    const insured = employment.factChecks.find((c) => c.id === 'employee_insured')!;
    expect(factCheckText('ko', insured).text).to.equal('본인이 현재 직장가입자(근로자)로 가입되어 있습니다.');
    for (const id of identifierSchemeIds) expect(schemeName('ko', id)).to.match(/[가-힣]/);
    expect(schemeName('ko', 'rrn')).to.equal('주민등록번호');
    expect(recordDescription('ko', catalog.get('tax.vat-exempt-revenue-certificate'))).to.deep.equal({
      text: '면세사업자가 신고한 연간 수입금액',
      lang: 'ko',
    });
  });

  it('gives every seeded legal basis in Korean and Japanese', () => {
    const seed = JSON.parse(readFileSync('server/organisations/seed/demo.json', 'utf8')) as {
      purposes: { legalBasis: string }[];
    };
    const untranslated = seed.purposes
      .flatMap((p) =>
        (['ko', 'ja'] as const).map((lang) => ({ lang, text: legalBasisText(lang, p.legalBasis) })),
      )
      .filter((x) => x.text.lang !== x.lang)
      .map((x) => `${x.lang}: ${x.text.text}`);
    expect(untranslated).to.deep.equal([]);
    expect(
      legalBasisText(
        'ko',
        'Act on Real Name Financial Transactions art. 3; Act on Reporting Specific Financial Transaction Information art. 5-2',
      ).text,
    ).to.equal(
      '금융실명거래 및 비밀보장에 관한 법률 제3조; 특정 금융거래정보의 보고 및 이용 등에 관한 법률 제5조의2',
    );
    expect(legalBasisText('ko', 'Passport Act art. 9; Enforcement Decree art. 16').text).to.equal(
      '여권법 제9조; 여권법 시행령 제16조',
    );
    expect(legalBasisText('ja', 'National Basic Living Security Act art. 21–23').text).to.equal(
      '国民基礎生活保障法第21条～第23条',
    );
    expect(legalBasisText('ko', 'Some Unknown Act art. 1')).to.deep.equal({
      text: 'Some Unknown Act art. 1',
      lang: 'en',
    });
  });

  it('puts every code value of the catalogue into Korean and Japanese words, and country codes into names in every language', () => {
    const catalog = testCatalog();
    const missing = new Set<string>();
    const walk = (
      props: Readonly<
        Record<
          string,
          {
            enum?: readonly unknown[];
            items?: { enum?: readonly unknown[]; properties?: object };
            properties?: object;
          }
        >
      >,
      kinds: ReadonlyMap<string, 'country' | 'code'>,
    ) => {
      for (const [name, schema] of Object.entries(props)) {
        const kind = kinds.get(name);
        // Status-of-stay codes (D-2, F-4 …) and map scales are how the documents themselves print them.
        if (kind && name !== 'statusOfStay' && name !== 'scale') {
          for (const value of [...(schema.enum ?? []), ...(schema.items?.enum ?? [])]) {
            if (!codeText('ko', kind, name, String(value))) missing.add(`ko ${name}:${String(value)}`);
            if (!codeText('ja', kind, name, String(value))) missing.add(`ja ${name}:${String(value)}`);
          }
        }
        if (schema.properties) walk(schema.properties as typeof props, kinds);
        if (schema.items?.properties) walk(schema.items.properties as typeof props, kinds);
      }
    };
    for (const type of catalog.list()) walk(type.schema.properties as never, codeFields(type));
    expect([...missing]).to.deep.equal([]);
    expect(codeText('ko', 'code', 'landCategory', 'gas-station-site')).to.equal('주유소용지');
    expect(codeText('ko', 'code', 'changeReason', 'household-split')).to.equal('세대 분리');
    expect(codeText('ko', 'code', 'sizeClass', 'medium')).to.equal('중기업');
    expect(codeText('ko', 'code', 'motorcycleClass', 'medium')).to.equal('중형');
    expect(codeText('ja', 'code', 'landCategory', 'paddy')).to.equal('田');
    expect(codeText('en', 'code', 'landCategory', 'field')).to.equal(undefined);
    expect(codeText('ko', 'country', 'nationality', 'VN')).to.equal('베트남');
    expect(codeText('en', 'country', 'nationality', 'VN')).to.equal('Vietnam');
    expect(codeText('ja', 'country', 'nationality', 'US')).to.equal('アメリカ合衆国');
  });

  it('knows which fields are won amounts from the catalogue ("in KRW")', () => {
    const tax = testCatalog().get('tax.income-amount-certificate');
    const won = wonFields(tax);
    expect(won.has('totalIncome')).to.equal(true);
    expect(won.has('attributionYear')).to.equal(false);
  });
});
