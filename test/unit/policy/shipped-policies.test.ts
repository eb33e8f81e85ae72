// The policies in policies/ against the real catalog and the purpose registry seed: complete
// coverage, no full resident number for banks, and a reviewed justification on every sensitive or
// full-resident-number release.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { expect } from 'chai';
import { LineCounter, parseDocument } from 'yaml';
import { loadCatalog } from '../../../server/catalog/catalog.js';
import type { FieldSchema } from '../../../server/catalog/catalog.types.js';
import { readDemoSeed } from '../../../server/organisations/seed.js';
import { coverageGaps, coveragePurposes, describeGap } from '../../../server/policy/policy.coverage.js';
import { namedDecisions } from '../../../server/policy/nested.js';
import { loadPolicies } from '../../../server/policy/policy.loader.js';
import { catalogIssues, DEFAULT_POLICY_DIR } from '../../../server/policy/policy.service.js';
import type { PolicyRule } from '../../../server/policy/policy.types.js';

const catalog = loadCatalog();
const policySet = loadPolicies(DEFAULT_POLICY_DIR);
const rules = policySet.files.flatMap((f) => f.rules);
const seed = readDemoSeed();
const purposes = coveragePurposes(seed);

/** Resident and foreigner registration numbers: national IDs whose back digits identify a person. */
const NATIONAL_ID = /^(residentRegistrationNumber|foreignerRegistrationNumber)$/;

function holdsNationalId(name: string, schema: FieldSchema | undefined): boolean {
  if (!schema) return false;
  if (NATIONAL_ID.test(name)) return true;
  const children = { ...(schema.properties ?? {}), ...(schema.items?.properties ?? {}) };
  return Object.entries(children).some(([child, s]) => holdsNationalId(child, s));
}

/** The comment on a field's line and the comment lines directly above it. */
function commentsByField(file: string): (pointer: string) => string {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  return (pointer) => {
    const path = pointer
      .split('/')
      .slice(1)
      .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
    const key = doc.getIn(path.slice(0, -1), true) as {
      items?: { key: { value: string; range: number[] } }[];
    };
    const pair = key.items?.find((p) => p.key.value === path[path.length - 1]);
    if (!pair) throw new Error(`${file}: no ${pointer}`);
    const line = counter.linePos(pair.key.range[0] ?? 0).line - 1;
    const own = lines[line] ?? '';
    const parts = [own.includes('#') ? own.slice(own.indexOf('#')) : ''];
    for (let i = line - 1; i >= 0 && /^\s*#/.test(lines[i] ?? ''); i--) parts.unshift(lines[i] ?? '');
    return parts.join('\n');
  };
}

function eachReleasedField(visit: (rule: PolicyRule, name: string, schema: FieldSchema) => void): void {
  for (const rule of rules) {
    const properties = catalog.get(rule.recordType).schema.properties;
    for (const [name, form] of Object.entries(rule.fields)) {
      const schema = properties[name];
      if (schema && form.form !== 'deny' && form.form !== 'predicate') visit(rule, name, schema);
    }
  }
}

describe('shipped policies (policies/)', () => {
  it('fit the catalog: fields, forms, predicate inputs and fact checks', () => {
    expect(catalogIssues(policySet, catalog)).to.deep.equal([]);
  });

  it('cover every record type of every seeded purpose for every entitled class, every field listed', () => {
    const gaps = coverageGaps(policySet, catalog, purposes);
    expect(gaps.map(describeGap)).to.deep.equal([]);
    const combinations = purposes.reduce((n, p) => n + p.recordTypes.length * p.classes.length, 0);
    expect(combinations).to.be.at.least(150);
    expect(rules).to.have.length(combinations);
  });

  it('hold one file per purpose, named after it, with rules only for entitled classes', () => {
    const entitled = new Map(purposes.map((p) => [p.code, p]));
    for (const file of policySet.files) {
      expect(basename(file.file), file.file).to.equal(`${file.id}.yaml`);
      const purpose = entitled.get(file.id);
      expect(purpose, `${file.id} is not a seeded purpose`).to.not.equal(undefined);
      for (const rule of file.rules) {
        expect(rule.purpose, `${file.file} ${rule.pointer}`).to.equal(file.id);
        expect('class' in rule.requester, `${file.file} ${rule.pointer}`).to.equal(true);
        if ('class' in rule.requester) expect(purpose?.classes).to.include(rule.requester.class);
        expect(purpose?.recordTypes).to.include(rule.recordType);
      }
    }
    expect(policySet.files).to.have.length(seed.purposes.length);
  });

  it('never give a bank a resident or foreigner registration number, whole or inside a field', () => {
    const leaks: string[] = [];
    eachReleasedField((rule, name, schema) => {
      if (!('class' in rule.requester) || rule.requester.class !== 'bank') return;
      const form = rule.fields[name];
      const maskedTopLevel = form?.form === 'mask' && NATIONAL_ID.test(name) && form.keepStart <= 6;
      if (form?.form !== 'hash' && !maskedTopLevel && holdsNationalId(name, schema)) {
        leaks.push(`${rule.file} ${rule.pointer}/fields/${name} (${form?.form})`);
      }
    });
    expect(leaks).to.deep.equal([]);
  });

  it('never give a bank a national ID nested in a released field, and withhold nested national IDs unless a path names them', () => {
    const leaks: string[] = [];
    for (const rule of rules) {
      const properties = catalog.get(rule.recordType).schema.properties;
      for (const [name, form] of Object.entries(rule.fields)) {
        if (form.form !== 'full') continue;
        for (const d of namedDecisions(rule, name, properties[name])) {
          const last = d.path.split('/').pop() ?? '';
          if (!NATIONAL_ID.test(last)) continue;
          const explicit = d.path in rule.nested;
          const masked = d.form.form === 'mask' && d.form.keepStart <= 6;
          const safe = d.form.form === 'deny' || d.form.form === 'hash' || masked;
          if (!explicit)
            leaks.push(`${rule.file} ${rule.pointer} ${d.path}: decided by default, not by a path`);
          if ('class' in rule.requester && rule.requester.class === 'bank' && !safe)
            leaks.push(`${rule.file} ${rule.pointer} ${d.path}: ${d.form.form} to a bank`);
        }
      }
    }
    expect(leaks).to.deep.equal([]);
  });

  it('justify every nested full national ID with `# full-rrn:`, and give one only for the move-in report', () => {
    const unjustified: string[] = [];
    const full = new Set<string>();
    for (const rule of rules) {
      const read = commentsByField(rule.file);
      for (const [path, form] of Object.entries(rule.nested)) {
        if (form.form !== 'full' || !NATIONAL_ID.test(path.split('/').pop() ?? '')) continue;
        full.add(rule.purpose);
        const pointer = `${rule.pointer}/fields/${path.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        if (!/#\s*full-rrn:\s*\S/.test(read(pointer))) unjustified.push(`${rule.file} ${pointer}`);
      }
    }
    expect(unjustified).to.deep.equal([]);
    expect([...full]).to.deep.equal(['resident.move-in-report']);
  });

  it('justify every release of a sensitive field with `# sensitive:` and every full national ID with `# full-rrn:`', () => {
    const unjustified: string[] = [];
    const comments = new Map<string, (pointer: string) => string>();
    eachReleasedField((rule, name, schema) => {
      const pointer = `${rule.pointer}/fields/${name}`;
      const read = comments.get(rule.file) ?? commentsByField(rule.file);
      comments.set(rule.file, read);
      const form = rule.fields[name]?.form;
      if (schema['x-sensitivity'] === 'sensitive' && !/#\s*sensitive:\s*\S/.test(read(pointer))) {
        unjustified.push(`${rule.file} ${pointer}: sensitive field released as ${form}`);
      }
      if (NATIONAL_ID.test(name) && form === 'full' && !/#\s*full-rrn:\s*\S/.test(read(pointer))) {
        unjustified.push(`${rule.file} ${pointer}: full national ID`);
      }
    });
    expect(unjustified).to.deep.equal([]);
  });

  it('mask resident numbers for most purposes: full only where the legal basis needs it', () => {
    const full: string[] = [];
    eachReleasedField((rule, name) => {
      if (name === 'residentRegistrationNumber' && rule.fields[name]?.form === 'full')
        full.push(rule.purpose);
    });
    expect([...new Set(full)].sort()).to.deep.equal([
      'passport.issue',
      'passport.overseas-national',
      // An investigation identifies the person under the full number (Criminal Procedure Act art. 199).
      'police.criminal-investigation',
      'resident.move-in-report',
    ]);
  });

  it('the marker check sees markers on the line and in the comment block above', () => {
    const read = commentsByField(`${DEFAULT_POLICY_DIR}welfare.housing-benefit.yaml`);
    const rule = rules.find(
      (r) => r.purpose === 'welfare.housing-benefit' && r.recordType === 'tax.income-amount-certificate',
    );
    expect(read(`${rule?.pointer}/fields/totalIncome`)).to.match(/sensitive:/);
    expect(read(`${rule?.pointer}/fields/determinedTax`)).to.not.match(/sensitive:/);
  });
});
