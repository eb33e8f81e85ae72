import { expect } from 'chai';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CatalogFileError,
  DEFAULT_CATALOG_DIR,
  DEFAULT_HOLDERS_FILE,
  loadCatalog,
} from '../../../server/catalog/catalog.js';
import { parseHolderLinks } from '../../../server/providers/holder-settings.js';
import { resolveHolderLinks } from '../../../server/providers/provider-config.js';
import { testCatalog, testConfig } from '../../support/app.js';

/** Record types per holder, counted by hand from server/catalog/record-types/ (95 in all). */
const RECORD_TYPES_PER_HOLDER: Record<string, number> = {
  mois: 7,
  molit: 15,
  'molit-vehicle': 3,
  nts: 12,
  mma: 2,
  nhis: 5,
  nca: 10,
  nps: 2,
  comwel: 1,
  mohw: 5,
  mogef: 1,
  mofa: 3,
  moj: 3,
  knpa: 2,
  mpva: 1,
  moe: 2,
  hrdk: 2,
  mss: 2,
  kicox: 1,
  kipo: 4,
  mafra: 1,
  naqs: 1,
  mof: 4,
  local: 6,
};

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const HANGUL = /[가-힣]/;
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

describe('holders: the agencies that keep the records', () => {
  const catalog = testCatalog();

  it('every record type names a holder of the table; every holder keeps at least one', () => {
    const counts: Record<string, number> = {};
    for (const rt of catalog.list()) {
      expect(catalog.holder(rt.holder.id), rt.id).to.equal(rt.holder);
      counts[rt.holder.id] = (counts[rt.holder.id] ?? 0) + 1;
    }
    expect(counts).to.deep.equal(RECORD_TYPES_PER_HOLDER);
    expect(catalog.holders().map((h) => h.id)).to.have.members(Object.keys(RECORD_TYPES_PER_HOLDER));
  });

  it('routes the six core registries to six different agencies', () => {
    const holderOf = (id: string) => catalog.get(id).holder.id;
    expect(holderOf('resident.registration-abstract')).to.equal('mois');
    expect(holderOf('land.ledger')).to.equal('molit');
    expect(holderOf('building.general-ledger')).to.equal('molit');
    expect(holderOf('vehicle.register-part-a')).to.equal('molit-vehicle');
    expect(holderOf('tax.national-payment-certificate')).to.equal('nts');
    expect(holderOf('military.service-record-certificate')).to.equal('mma');
    expect(holderOf('social-insurance.health-insurance-card')).to.equal('nhis');
    expect(holderOf('court-register.land-title')).to.equal('nca');
  });

  it('names each holder in Korean, English and Japanese, with what it keeps', () => {
    for (const h of catalog.holders()) {
      expect(h.names.ko, h.id).to.match(HANGUL);
      expect(h.names.ja, h.id).to.match(JAPANESE);
      expect(h.names.en, h.id).to.match(/^[A-Z]/);
      expect(h.keeps.ko, h.id).to.match(HANGUL);
    }
    expect(catalog.holder('nts').names).to.deep.equal({
      en: 'National Tax Service',
      ko: '국세청',
      ja: '国税庁',
    });
  });

  it('gives every holder of the catalog a registry, its own key and its own port in holders/demo.json', () => {
    const problems: string[] = [];
    const links = parseHolderLinks(readFileSync('holders/demo.json', 'utf8'), 'holders/demo.json', problems);
    expect(problems).to.deep.equal([]);
    expect(Object.keys(links)).to.have.members(Object.keys(RECORD_TYPES_PER_HOLDER));
    const ports = Object.values(links).map((l) => new URL(l.url!).port);
    expect(new Set(ports).size).to.equal(24);
    expect(Object.values(links).every((l) => l.ownKey === true)).to.equal(true);
    const resolved = resolveHolderLinks(
      testConfig({ HOLDERS: readFileSync('holders/demo.json', 'utf8') }),
      catalog,
    );
    expect(resolved).to.have.length(24);
    const nts = resolved.find((l) => l.holder.id === 'nts')!;
    expect(nts).to.include({
      url: 'http://127.0.0.1:3104',
      audience: 'urn:juc:provider:nts',
      timeoutMs: 2000,
    });
    const mma = resolved.find((l) => l.holder.id === 'mma')!;
    expect(mma.timeoutMs, 'PROVIDER_TIMEOUT_MS default').to.equal(3000);
  });

  it('refuses HOLDERS naming an agency the catalog does not have, and bad settings', () => {
    expect(() =>
      resolveHolderLinks(
        testConfig({ HOLDERS: '{"holders":{"ntss":{"url":"http://127.0.0.1:1"}}}' }),
        catalog,
      ),
    ).to.throw(/"ntss", not a holder/);
    expect(() => testConfig({ HOLDERS: '{"holders":{"nts":{"timeoutMs":1}}}' })).to.throw(
      /HOLDERS: \/holders\/nts\/timeoutMs must be >= 50/,
    );
    expect(() => testConfig({ HOLDERS: '{"holders":{}}', HOLDERS_FILE: 'holders/demo.json' })).to.throw(
      /HOLDERS and HOLDERS_FILE are both set/,
    );
    expect(() => testConfig({ HOLDERS_FILE: 'holders/nope.json' })).to.throw(/HOLDERS_FILE: cannot read/);
  });

  describe('catalog checks', () => {
    function loadWith(
      mutateType: (data: Json) => void,
      mutateHolders?: (data: Json) => void,
    ): CatalogFileError {
      const dir = mkdtempSync(join(tmpdir(), 'catalog-holders-'));
      try {
        for (const name of readdirSync(DEFAULT_CATALOG_DIR)) {
          copyFileSync(join(DEFAULT_CATALOG_DIR, name), join(dir, name));
        }
        const tax = JSON.parse(readFileSync(join(dir, 'tax.json'), 'utf8'));
        mutateType(tax);
        writeFileSync(join(dir, 'tax.json'), JSON.stringify(tax));
        const holders = JSON.parse(readFileSync(DEFAULT_HOLDERS_FILE, 'utf8'));
        mutateHolders?.(holders);
        const holdersFile = join(`${dir}-holders`, 'holders.json');
        mkdirSync(`${dir}-holders`);
        writeFileSync(holdersFile, JSON.stringify(holders));
        try {
          loadCatalog(dir, holdersFile);
        } catch (err) {
          expect(err).to.be.instanceOf(CatalogFileError);
          return err as CatalogFileError;
        }
        throw new Error('the broken catalog loaded');
      } finally {
        rmSync(dir, { recursive: true, force: true });
        rmSync(`${dir}-holders`, { recursive: true, force: true });
      }
    }

    it('refuses a record type whose holder is not in the table, naming file and path', () => {
      const err = loadWith((tax) => (tax.recordTypes[0].holder = 'irs'));
      expect(err.file).to.equal('tax.json');
      expect(err.pointer).to.equal('/recordTypes/0/holder');
      expect(err.message).to.contain('"irs" is not a holder in holders.json');
    });

    it('refuses a holder that keeps nothing, and a holder listed twice', () => {
      const idle = loadWith(
        () => undefined,
        (h) => h.holders.push({ ...h.holders[0], id: 'kcs' }),
      );
      expect(idle.file).to.equal('holders.json');
      expect(idle.message).to.contain('"kcs" holds no record type');
      const twice = loadWith(
        () => undefined,
        (h) => h.holders.push(h.holders[0]),
      );
      expect(twice.pointer).to.equal('/holders/24/id');
      expect(twice.message).to.contain('duplicate holder "mois"');
    });

    it('refuses a holder without a Japanese name', () => {
      const err = loadWith(
        () => undefined,
        (h) => delete h.holders[3].names.ja,
      );
      expect(err.file).to.equal('holders.json');
      expect(err.pointer).to.equal('/holders/3/names');
    });
  });
});
