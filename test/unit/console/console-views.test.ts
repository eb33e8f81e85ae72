/**
 * The console's pure views: nested identifiers masked unless the policy released that path in full (problem 4),
 * the waiting page per state (problem 2), the form's defaults (problem 6) and the recent-queries CSV (problem 9).
 * Expected values are written out by hand, never computed by the code under test.
 */
import { expect } from 'chai';
import type { RecordType } from '../../../server/catalog/catalog.types.js';
import type { ConsentRequestView } from '../../../server/consents/consents.types.js';
import type { RecentQueryEntry } from '../../../server/console/console.repo.js';
import type { CheckedForm, CounterPurpose } from '../../../server/console/console.service.js';
import { recentCsv } from '../../../server/console/recent-csv.js';
import { defaultRecords } from '../../../server/console/views/form.view.js';
import { maskIdentifier, renderValue, type ValueContext } from '../../../server/console/views/values.js';
import { WITHDRAWN_REASON, waitingBody } from '../../../server/console/views/waiting.view.js';

const membersSchema = {
  type: 'array',
  description: 'Household members',
  'x-sensitivity': 'personal',
  items: {
    type: 'object',
    properties: {
      name: { type: 'string', description: 'Name', 'x-sensitivity': 'personal' },
      residentRegistrationNumber: { type: 'string', description: 'RRN', 'x-sensitivity': 'identifier' },
    },
  },
} as unknown as ValueContext['schema'];

const members = [{ name: '김민준', residentRegistrationNumber: '8503141234562' }];
const ctx = (form?: string): ValueContext => ({
  won: new Set(),
  codes: new Map(),
  schema: membersSchema,
  nested: form ? [{ name: '/members/*/residentRegistrationNumber', form }] : [],
});

describe('clerk console views', () => {
  describe('nested identifiers (problem 4)', () => {
    it('masks a member’s full number that the policy did not release in full', () => {
      for (const c of [ctx(), ctx('mask')]) {
        const out = renderValue('ko', members, c, 'members', ['members']).toString();
        expect(out).to.contain('850314-*******');
        expect(out).not.to.contain('1234562');
        expect(out).to.contain('일부 가림');
      }
    });

    it('shows the number whole, marked, where the policy released that path in full', () => {
      const out = renderValue('en', members, ctx('full'), 'members', ['members']).toString();
      expect(out).to.contain('850314-1234562');
      expect(out).to.contain('in full (this purpose’s legal basis)');
    });

    it('writes a top-level number as released, with its hyphen', () => {
      const top = (topForm: string): ValueContext => ({
        won: new Set(),
        codes: new Map(),
        nested: [],
        topForm,
        schema: {
          type: 'string',
          description: 'RRN',
          'x-sensitivity': 'identifier',
        } as ValueContext['schema'],
      });
      const masked = renderValue('ko', '850314*******', top('mask'), 'rrn', ['rrn']).toString();
      expect(masked).to.equal('<span class="identifier">850314-*******</span>');
      const full = renderValue('ko', '8503141234562', top('full'), 'rrn', ['rrn']).toString();
      expect(full).to.equal('<span class="identifier">850314-1234562</span>');
    });

    it('writes masked numbers the same way whatever the mask preset left', () => {
      expect(maskIdentifier('850314*******')).to.equal('850314-*******');
      expect(maskIdentifier('8503141******')).to.equal('850314-1******');
      expect(maskIdentifier('850314-1234562')).to.equal('850314-*******');
      expect(maskIdentifier('AB1234567')).to.equal('AB1******');
    });
  });

  it('shows a code without a translation in words, never as a code (problem 9)', () => {
    const codes: ValueContext = {
      won: new Set(['amount']),
      codes: new Map([['changeReason', 'code']]),
      nested: [],
    };
    expect(renderValue('en', 'household-split', codes, 'changeReason').toString()).to.equal(
      'Household split',
    );
    expect(renderValue('en', 421354854, codes, 'amount').toString()).to.equal('₩421,354,854');
  });

  describe('the waiting page (problem 2)', () => {
    const described = {
      purpose: {
        code: 'welfare.housing-benefit',
        names: { ko: '주거급여 수급자격 조사', en: 'Housing benefit', ja: '住居給付' },
      },
      records: [],
    } as unknown as CounterPurpose;
    const checked = {
      form: { purpose: 'welfare.housing-benefit', identifiers: {}, subjectScheme: 'rrn', subjectId: 'x' },
      selected: [],
      subject: { scheme: 'rrn', canonical: '8503141234562', masked: '850314-1******' },
      needsConsent: true,
    } as unknown as CheckedForm;
    const request = (status: ConsentRequestView['status'], statusReason: string | null = null) =>
      ({
        id: '00000000-0000-4000-8000-000000000001',
        status,
        statusReason,
        recordTypes: [],
        citizenUrl: 'https://juc.example/consent/00000000-0000-4000-8000-000000000001',
        shortUrl: 'https://juc.example/consent/c/ABCDEFGH',
        shortCode: 'ABCDEFGH',
        expiresAt: '2026-12-07T06:15:00.000Z',
      }) as unknown as ConsentRequestView;
    const catalog = { has: () => false, get: () => undefined as never };
    const page = (r: ConsentRequestView) =>
      waitingBody('ko', catalog, {
        described,
        checked,
        request: r,
        csrf: 'c',
        now: new Date('2026-12-07T06:10:30.000Z'),
      }).toString();

    it('while waiting: the masked citizen, the purpose, the QR code, 4:30 left and a cancel button', () => {
      const out = page(request('REQUESTED'));
      expect(out).to.contain('850314-1******');
      expect(out).to.contain('주거급여 수급자격 조사');
      expect(out).to.match(/id="countdown"[^>]*>4:30</);
      expect(out).to.match(/id="handoff" data-show-in="REQUESTED"\s*>/);
      expect(out).to.match(/id="cancel-request"[^>]*data-show-in="REQUESTED"\s*>/);
    });

    it('once approved: no QR code or cancel, "Run the query" shown', () => {
      const out = page(request('ACTIVE'));
      expect(out).to.match(/id="handoff" data-show-in="REQUESTED" hidden/);
      expect(out).to.match(/id="run-query"[^>]*data-show-in="ACTIVE"\s*>/);
      expect(out).to.contain('민원인이 승인했습니다');
    });

    it('once refused or cancelled: the QR code and cancel hidden, the ended title and a Start again link', () => {
      for (const [r, text] of [
        [request('REJECTED'), '민원인이 거부했습니다'],
        [request('EXPIRED', WITHDRAWN_REASON), '요청을 취소했습니다'],
      ] as const) {
        const out = page(r);
        expect(out).to.match(/id="handoff" data-show-in="REQUESTED" hidden/);
        expect(out).to.match(/id="cancel-request"[^>]*hidden/);
        expect(out).to.contain('이 요청은 끝났습니다');
        expect(out).to.contain(text);
        expect(out).to.match(
          /<a[^>]*href="\/console\/query\?purpose=welfare\.housing-benefit"[^>]*>\s*처음부터 다시\s*<\/a\s*>/,
        );
      }
    });
  });

  it('the form starts without records that need their own number or that the default access cannot read (problem 6)', () => {
    const type = (id: string, subjectKind: string, accessModes: string[]) =>
      ({ id, subjectKind, accessModes }) as unknown as RecordType;
    const described = {
      records: [
        type('resident.registration-abstract', 'person', ['full', 'fact-check']),
        type('resident.registered-households-at-address', 'object', ['full']),
        type('resident.id-card-authenticity', 'person', ['fact-check']),
      ],
    } as unknown as CounterPurpose;
    expect(defaultRecords(described)).to.deep.equal(['resident.registration-abstract']);
  });

  it('the recent-queries CSV has Korean time with its zone and words, the refusal code in its own column (problem 9)', () => {
    const entries: RecentQueryEntry[] = [
      {
        entryId: 42,
        requestId: 'r',
        at: new Date('2026-12-07T06:04:05.000Z'),
        purposeCode: 'welfare.housing-benefit',
        recordType: 'tax.income-amount-certificate',
        outcome: 'denied',
        reasonCode: 'consent_revoked',
        consentMode: 'citizen',
      },
    ];
    const catalog = {
      has: () => true,
      get: () =>
        ({ names: { ko: '소득금액증명', en: 'Income amount certificate', ja: '所得金額証明' } }) as never,
    };
    const csv = recentCsv(
      'ko',
      catalog,
      new Map([['welfare.housing-benefit', '주거급여 수급자격 조사']]),
      entries,
    );
    expect(csv).to.equal(
      '\uFEFF"일시(KST, UTC+9)",이용 목적,기록,처리 결과,거부 사유,사유 코드,동의,기록 번호\r\n' +
        '2026-12-07 15:04:05+09:00,주거급여 수급자격 조사,소득금액증명,거부됨,민원인이 동의를 철회했습니다.,consent_revoked,본인 승인,42\r\n',
    );
  });
});
