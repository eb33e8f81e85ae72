import { expect } from 'chai';
import { RecordTypeUnknownError } from '../../../server/errors.js';
import { loadCatalog } from '../../../server/catalog/catalog.js';
import type { Catalog, FieldSchema, ItemSchema, RecordType } from '../../../server/catalog/catalog.types.js';
import { identifierSchemeIds } from '../../../server/catalog/identifiers/index.js';
import { generateRecord, syntheticPerson } from '../../../server/dev/registry/generate.js';

const HANGUL = /[가-힣]/;
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
const SENSITIVITIES = ['public', 'personal', 'identifier', 'sensitive'];

/** Every named field in a schema, with its path, recursing into objects and array items. */
function fieldsOf(schema: FieldSchema | ItemSchema, path: string): [string, FieldSchema | ItemSchema][] {
  const out: [string, FieldSchema | ItemSchema][] = [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    out.push([`${path}.${name}`, field], ...fieldsOf(field, `${path}.${name}`));
  }
  if (schema.items) out.push(...fieldsOf(schema.items, `${path}[]`));
  return out;
}

describe('record catalog', () => {
  let catalog: Catalog;
  before(() => {
    catalog = loadCatalog();
  });

  it('holds at least 80 record types in at least 12 categories', () => {
    expect(catalog.size).to.be.at.least(80);
    expect(catalog.list()).to.have.length(catalog.size);
    expect(catalog.categories().length).to.be.at.least(12);
    for (const category of catalog.categories()) {
      expect(catalog.list({ category: category.id }), category.id).to.have.length.greaterThan(0);
    }
  });

  it('has the record types the design names', () => {
    for (const id of ['resident.registration-abstract', 'land.ledger', 'tax.national-payment-certificate']) {
      expect(catalog.has(id), id).to.equal(true);
    }
  });

  it('gives every record type names in three languages and descriptions in two', () => {
    for (const rt of catalog.list()) {
      expect(rt.names.ko, rt.id).to.match(HANGUL);
      expect(rt.names.ja, rt.id).to.match(JAPANESE);
      expect(rt.names.ja, `${rt.id} ja name must not be Korean`).not.to.match(HANGUL);
      expect(rt.description.ja, rt.id).to.match(JAPANESE);
      expect(rt.holder.names.ja, rt.id).to.match(JAPANESE);
      expect(rt.names.en, rt.id).to.match(/^[A-Z]/);
    }
  });

  it('gives every field, however deep, a description and a sensitivity', () => {
    let count = 0;
    for (const rt of catalog.list()) {
      expect(rt.schema.additionalProperties, rt.id).to.equal(false);
      for (const [path, field] of fieldsOf(rt.schema as unknown as FieldSchema, rt.id)) {
        if (path.endsWith('[]')) continue; // array items are described by their array
        count++;
        expect(field.description, path).to.be.a('string').and.have.length.greaterThan(3);
        expect(SENSITIVITIES, path).to.include(field['x-sensitivity']);
      }
    }
    expect(count).to.be.greaterThan(800);
  });

  it('uses only known identifier schemes, and consent classes that fit the subject', () => {
    for (const rt of catalog.list()) {
      expect(identifierSchemeIds, rt.id).to.include(rt.identifierScheme);
      if (rt.subjectKind === 'person') expect(rt.consentClass, rt.id).to.not.equal('no-subject-fee');
    }
    expect(
      catalog.list({ subjectKind: 'object' }).every((rt) => rt.consentClass !== 'consent-required'),
    ).to.equal(true);
  });

  it('models the real disclosure variants', () => {
    const family = catalog.get('family.relations-certificate');
    expect(family.disclosureVariants.map((v) => v.id)).to.deep.equal(['general', 'detailed', 'specific']);
    expect(family.disclosureVariants.find((v) => v.default)?.id).to.equal('general');
    expect(family.disclosureVariants.find((v) => v.id === 'detailed')?.justificationRequired).to.equal(true);

    const abstract = catalog.get('resident.registration-abstract-individual');
    const history = abstract.disclosureVariants.find((v) => v.id === 'with-address-history');
    expect(history?.fields).to.include('addressHistory');
    expect(abstract.disclosureVariants.find((v) => v.default)?.fields).not.to.include('addressHistory');

    const military = catalog.get('military.service-record-certificate');
    expect(military.accessModes).to.include('citizen-selectable');
    expect(military.citizenSelection?.mandatoryFields).to.include.members([
      'enlistmentDate',
      'dischargeDate',
    ]);
  });

  it('offers the fact checks the policy predicates need', () => {
    const checks = new Set(catalog.list().flatMap((rt) => rt.factChecks.map((c) => c.id)));
    for (const id of ['business_active', 'tax_arrears', 'id_card_valid']) expect(checks, id).to.include(id);
    const status = catalog.get('enterprise.business-status');
    expect(status.accessModes).to.deep.equal(['fact-check']);
  });

  describe('list', () => {
    it('filters by category and subject kind', () => {
      const land = catalog.list({ category: 'land' });
      expect(land.length).to.be.at.least(5);
      expect(land.every((rt) => rt.category === 'land')).to.equal(true);
      const corporations = catalog.list({ subjectKind: 'corporation' });
      expect(corporations.every((rt) => rt.subjectKind === 'corporation')).to.equal(true);
      expect(catalog.list({ category: 'land', subjectKind: 'person' }).map((rt) => rt.id)).to.deep.equal([
        'land.parcels-by-owner',
      ]);
    });

    it('searches ids and names in every language, ignoring case', () => {
      expect(catalog.list({ q: '토지대장' }).map((rt) => rt.id)).to.include('land.ledger');
      expect(catalog.list({ q: '兵籍' }).map((rt) => rt.id)).to.deep.equal([
        'military.service-record-certificate',
      ]);
      expect(catalog.list({ q: 'PATENT' }).map((rt) => rt.id)).to.include(
        'intellectual-property.patent-register',
      );
      expect(catalog.list({ q: 'no such thing' })).to.deep.equal([]);
    });
  });

  describe('get', () => {
    it('returns a frozen record type', () => {
      const rt: RecordType = catalog.get('land.ledger');
      expect(rt.holder.id).to.equal('molit');
      expect(Object.isFrozen(rt)).to.equal(true);
      expect(Object.isFrozen(rt.schema.properties)).to.equal(true);
    });

    it('throws RecordTypeUnknownError for an unknown id', () => {
      expect(() => catalog.get('resident.nonexistent')).to.throw(RecordTypeUnknownError);
      expect(() => catalog.validator('resident.nonexistent')).to.throw(RecordTypeUnknownError);
    });
  });

  describe('validator', () => {
    const id = 'resident.registration-abstract-individual';

    it('accepts a valid record', () => {
      const record = generateRecord(catalog.get(id), syntheticPerson(42));
      expect(catalog.validator(id)(record)).to.deep.equal([]);
    });

    it('reports extra fields, wrong types, bad enums and impossible dates with pointers', () => {
      const record = generateRecord(catalog.get(id), syntheticPerson(42));
      const issues = catalog.validator(id)({
        ...record,
        movedInDate: '2023-02-30',
        relationshipToHead: 'boss',
        residentRegistrationNumber: 8501011234566,
        favouriteColour: 'blue',
      });
      const pointers = issues.map((i) => i.pointer);
      expect(pointers).to.include.members([
        '/movedInDate',
        '/relationshipToHead',
        '/residentRegistrationNumber',
        '/',
      ]);
      expect(issues.find((i) => i.pointer === '/')?.message).to.contain('favouriteColour');
    });

    it('reports missing required fields', () => {
      const issues = catalog.validator('land.ledger')({});
      expect(issues.map((i) => i.message).join(' ')).to.contain("must have required property 'parcelNumber'");
    });
  });
});
