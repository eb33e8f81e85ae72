import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { PolicyFileError } from '../../../server/policy/policy.errors.js';
import { loadPolicies } from '../../../server/policy/policy.loader.js';
import { checkPoliciesAgainstCatalog } from '../../../server/policy/policy.service.js';
import { schemas } from './fixtures.js';

const POLICIES = new URL('./fixtures/policies/', import.meta.url).pathname;

const valid = `id: test.policy
version: 1.0.0
rules:
  - id: bank-loan
    requester: { class: bank }
    purpose: loan.*
    recordType: resident.registration-abstract
    fields:
      name: full
`;

describe('policy loader', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'policies-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  function loadError(): PolicyFileError {
    try {
      loadPolicies(dir);
    } catch (err) {
      expect(err).to.be.instanceOf(PolicyFileError);
      return err as PolicyFileError;
    }
    throw new Error('expected loading to fail');
  }

  it('loads the example policies in fixtures/policies/ and they fit the example record schemas', () => {
    const set = loadPolicies(POLICIES);
    expect(set.files.map((f) => f.id)).to.have.members([
      'example.resident.registration-abstract',
      'example.tax.national-payment-certificate',
      'example.business.registration-status',
    ]);
    for (const f of set.files) expect(f.version).to.match(/^\d+\.\d+\.\d+$/);
    expect(set.byRecordType.get('resident.registration-abstract')).to.have.length(5);
    expect(checkPoliciesAgainstCatalog(set, (id) => schemas[id])).to.deep.equal([]);
  });

  it('normalises shorthand and presets', () => {
    const set = loadPolicies(POLICIES);
    const rule = set.byRecordType.get('resident.registration-abstract')?.find((r) => r.id === 'bank-loan');
    expect(rule?.fields['name']).to.deep.equal({ form: 'full' });
    expect(rule?.fields['residentRegistrationNumber']).to.deep.equal({
      form: 'mask',
      keepStart: 6,
      keepEnd: 0,
      char: '*',
      preserve: '-',
    });
    expect(rule?.fields['isAdult']).to.deep.equal({
      form: 'predicate',
      name: 'age_gte',
      args: { years: 19 },
      from: {},
    });
    expect(rule?.policy).to.deep.equal({ id: 'example.resident.registration-abstract', version: '0.1.0' });
    expect(Object.isFrozen(rule)).to.equal(true);
  });

  it('ignores files that are not YAML', () => {
    write('a.yaml', valid);
    write('README.md', '# not a policy');
    expect(loadPolicies(dir).files).to.have.length(1);
  });

  it('fails on a schema violation, naming the file, JSON path and line', () => {
    const path = write('bad.yaml', valid.replace('name: full', 'name: full\n      birthDate: reveal'));
    const err = loadError();
    expect(err.file).to.equal(path);
    expect(err.pointer).to.equal('/rules/0/fields/birthDate');
    expect(err.issues[0]?.line).to.equal(10);
    expect(err.message).to.include(
      'bad.yaml at /rules/0/fields/birthDate (line 10): must be one of full, deny, hash',
    );
  });

  it('points at a misspelt property and a missing one', () => {
    write('bad.yaml', valid.replace('purpose: loan.*', 'purpse: loan.*'));
    const err = loadError();
    const pointers = err.issues.map((i) => `${i.pointer} ${i.message}`);
    expect(pointers).to.include('/rules/0/purpse is not allowed here');
    expect(pointers).to.include("/rules/0 must have required property 'purpose'");
  });

  it('checks form parameters', () => {
    write('bad.yaml', valid.replace('name: full', 'name: { form: truncate, length: 0 }'));
    expect(loadError().message).to.include('/rules/0/fields/name/length');
    write('bad.yaml', valid.replace('name: full', 'name: { form: generalise, to: year, bounds: [1] }'));
    expect(loadError().message).to.include('/rules/0/fields/name/bounds');
    write('bad.yaml', valid.replace('name: full', 'name: { form: generalise, to: bracket, bounds: [5, 1] }'));
    expect(loadError().message).to.match(
      /\/rules\/0\/fields\/name\/bounds \(line \d+\): must be strictly ascending/,
    );
  });

  it('rejects unknown predicates and bad predicate arguments by path', () => {
    write('bad.yaml', valid.replace('name: full', 'x: { form: predicate, name: is_rich }'));
    expect(loadError().message).to.match(/\/rules\/0\/fields\/x\/name.*unknown predicate "is_rich"/);
    write(
      'bad.yaml',
      valid.replace('name: full', "x: { form: predicate, name: age_gte, args: { years: '19' } }"),
    );
    expect(loadError().pointer).to.equal('/rules/0/fields/x/args/years');
    write(
      'bad.yaml',
      valid.replace(
        'name: full',
        'x: { form: predicate, name: age_gte, args: { years: 19 }, from: { dob: b } }',
      ),
    );
    expect(loadError().message).to.include('/rules/0/fields/x/from/dob');
  });

  it('rejects YAML syntax errors with a line', () => {
    write('broken.yaml', 'id: [unclosed\nversion: 1.0.0\n');
    const err = loadError();
    expect(err.file).to.match(/broken\.yaml$/);
    expect(err.issues[0]?.line).to.be.a('number');
    expect(err.message).to.include('YAML');
  });

  it('rejects duplicate rule keys and policy ids across files', () => {
    write('a.yaml', valid);
    write('b.yaml', valid.replace('id: bank-loan', 'id: other'));
    const err = loadError();
    expect(err.message).to.match(/b\.yaml at \/id \(line 1\): policy id also used by .*a\.yaml/);
    expect(err.message).to.match(
      /b\.yaml at \/rules\/0 \(line 4\): same requester, purpose and record type as .*a\.yaml \/rules\/0/,
    );
  });

  it('rejects duplicate rule ids within a file', () => {
    write(
      'a.yaml',
      `${valid}  - id: bank-loan\n    requester: { org: x }\n    purpose: '*'\n    recordType: a.b\n    fields: { name: full }\n`,
    );
    expect(loadError().message).to.match(/\/rules\/1\/id \(line 10\): duplicates the id of \/rules\/0/);
  });

  it('reports every bad file at once', () => {
    write('a.yaml', 'id: a\n');
    write('b.yaml', 'version: 1\n');
    const files = new Set(loadError().issues.map((i) => i.file.replace(/^.*\//, '')));
    expect([...files]).to.deep.equal(['a.yaml', 'b.yaml']);
  });

  it('checkPoliciesAgainstCatalog finds fields and record types the catalog lacks', () => {
    write(
      'a.yaml',
      valid.replace(
        'name: full',
        'name: full\n      nickname: full\n      birthDate: { form: truncate, length: 2 }',
      ),
    );
    const set = loadPolicies(dir);
    const bare = { properties: { name: { type: 'string' }, birthDate: { type: 'array' } } };
    const problems = checkPoliciesAgainstCatalog(set, () => bare);
    expect(problems.join('\n')).to.include(
      '/rules/0/fields/nickname: resident.registration-abstract has no field',
    );
    expect(problems.join('\n')).to.include('/rules/0/fields/birthDate: truncate needs a string or number');
    expect(checkPoliciesAgainstCatalog(set, () => undefined)[0]).to.match(/unknown record type/);
  });
});
