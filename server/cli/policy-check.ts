/**
 * `npm run policy:check [-- <policies dir>]`: validates every policy file against the policy
 * schema, the record catalog and the purpose registry seed, as start-up would, and prints a
 * summary. Exits 1 on any problem (each named by file and JSON path), so CI and reviewers can run
 * it without a database.
 */
import { loadCatalog } from '../catalog/catalog.js';
import { readDemoSeed } from '../organisations/seed.js';
import { identifierPaths, nestedDecisions, nestedNode } from '../policy/nested.js';
import { coverageGaps, coveragePurposes, describeGap } from '../policy/policy.coverage.js';
import { PolicyFileError } from '../policy/policy.errors.js';
import { DEFAULT_POLICY_DIR, loadPolicyService } from '../policy/policy.service.js';
import type { PolicyRule } from '../policy/policy.types.js';

/** Nested identifiers inside fields released in full: how many a rule's path decides, and how. */
function identifierCoverage(rules: readonly PolicyRule[], catalog: ReturnType<typeof loadCatalog>): string {
  let named = 0;
  let total = 0;
  const forms = new Map<string, number>();
  for (const rule of rules) {
    if (!catalog.has(rule.recordType)) continue;
    const properties = catalog.get(rule.recordType).schema.properties;
    for (const [name, form] of Object.entries(rule.fields)) {
      if (form.form !== 'full') continue;
      const decisions = nestedDecisions(nestedNode(rule, name, properties[name]));
      for (const path of identifierPaths(name, properties[name])) {
        total++;
        // The deciding node is the identifier itself or a part holding it (e.g. a whole entry hashed).
        const d = decisions.find((x) => path === x.path || path.startsWith(`${x.path}/`));
        const decided = d?.form.form ?? 'full';
        if (!d?.byDefault) named++;
        forms.set(decided, (forms.get(decided) ?? 0) + 1);
      }
    }
  }
  const by = [...forms].map(([f, n]) => `${f} ${n}`).join(', ');
  return `${named}/${total} nested identifiers in fields released in full decided by a path${by ? ` (${by})` : ''}`;
}

function main(): number {
  const dir = process.argv[2] ?? DEFAULT_POLICY_DIR;
  const catalog = loadCatalog();
  let service;
  try {
    // Any key will do: checking never hashes.
    service = loadPolicyService({ catalog, dir, pairwiseKey: 'policy-check-does-not-hash-anything-0000' });
  } catch (err) {
    if (!(err instanceof PolicyFileError)) throw err;
    process.stderr.write(`policy:check: ${err.issues.length} problem(s)\n`);
    for (const i of err.issues) {
      const line = i.line === undefined ? '' : ` (line ${i.line})`;
      process.stderr.write(`  ${i.file} at ${i.pointer || '/'}${line}: ${i.message}\n`);
    }
    return 1;
  }
  const rules = service.policySet.files.flatMap((f) => f.rules);
  const forms = new Map<string, number>();
  const nestedForms = new Map<string, number>();
  for (const rule of rules) {
    for (const form of Object.values(rule.fields)) forms.set(form.form, (forms.get(form.form) ?? 0) + 1);
    for (const form of Object.values(rule.nested))
      nestedForms.set(form.form, (nestedForms.get(form.form) ?? 0) + 1);
  }
  const withNested = rules.filter((r) => Object.keys(r.nested).length > 0).length;
  const purposes = coveragePurposes(readDemoSeed());
  const gaps = coverageGaps(service.policySet, catalog, purposes);
  const combinations = purposes.reduce((n, p) => n + p.recordTypes.length * p.classes.length, 0);
  const s = service.summary();
  process.stdout.write(
    [
      `policy files:  ${s.files}`,
      `rules:         ${s.rules}`,
      `purposes:      ${s.purposes}`,
      `record types:  ${s.recordTypes}`,
      `field forms:   ${[...forms].map(([f, n]) => `${f} ${n}`).join(', ')}`,
      `nested paths:  ${[...nestedForms].map(([f, n]) => `${f} ${n}`).join(', ') || 'none'} (in ${withNested} rules)`,
      `identifiers:   ${identifierCoverage(rules, catalog)}`,
      `coverage:      ${combinations - gaps.filter((g) => g.kind === 'no_rule').length}/${combinations} purpose × record type × entitled class`,
      '',
    ].join('\n'),
  );
  if (gaps.length > 0) {
    process.stderr.write(`policy:check: ${gaps.length} coverage gap(s)\n`);
    for (const gap of gaps) process.stderr.write(`  ${describeGap(gap)}\n`);
    return 1;
  }
  process.stdout.write('policy:check: ok\n');
  return 0;
}

process.exitCode = main();
