/**
 * Reads policies/*.yaml at start-up. Synchronous on purpose: it runs once before the server
 * listens, and a bad file must stop the start with a message naming the file, JSON path and line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { compilePolicies, type CompileOptions, type PolicyDocument } from './policy.compile.js';
import { PolicyFileError, type PolicyIssue } from './policy.errors.js';
import type { PolicySet } from './policy.types.js';

const POLICY_FILE = /\.ya?ml$/u;

function segments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The nearest existing node on the pointer's path, so a missing property points at its parent. */
function lineFinder(doc: Document, counter: LineCounter): (pointer: string) => number | undefined {
  return (pointer) => {
    const path = segments(pointer);
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return counter.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

export function parsePolicyText(file: string, text: string): PolicyDocument {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues: PolicyIssue[] = doc.errors.map((e) => ({
      file,
      pointer: '',
      message: `YAML: ${e.message.split('\n')[0] ?? e.code}`,
      line: counter.linePos(e.pos[0]).line,
    }));
    throw new PolicyFileError(issues);
  }
  return { file, data: doc.toJS({ maxAliasCount: 0 }) as unknown, lineOf: lineFinder(doc, counter) };
}

/**
 * Loads every *.yaml / *.yml in `dir` (sorted, not recursive). File names in errors are relative
 * to the working directory when under it, so an operator can open them directly.
 */
export function loadPolicies(dir: string, options: CompileOptions = {}): PolicySet {
  const names = readdirSync(dir)
    .filter((n) => POLICY_FILE.test(n))
    .sort();
  const docs: PolicyDocument[] = [];
  const issues: PolicyIssue[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const rel = relative(process.cwd(), path);
    const file = rel === '' || rel.startsWith('..') ? path : rel;
    try {
      docs.push(parsePolicyText(file, readFileSync(path, 'utf8')));
    } catch (err) {
      if (!(err instanceof PolicyFileError)) throw err;
      issues.push(...err.issues);
    }
  }
  if (issues.length > 0) throw new PolicyFileError(issues);
  return compilePolicies(docs, options);
}
