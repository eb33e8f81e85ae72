/**
 * One input rule at the edge, for every route (API and pages): no client string reaches a service,
 * a log line or PostgreSQL with a NUL or another C0 control character in it. PostgreSQL cannot store
 * NUL in text at all (it answered 500), and no field of the contract or of a page form means one.
 *
 * Path and query values and every object key are names and codes: no control character at all.
 * Body string values may hold tab, line feed and carriage return (free-text fields such as a
 * document reference or a note typed in a textarea), and no other C0 control.
 */
import type { NextFunction, Request, Response } from 'express';
import { ValidationError, type FieldIssue } from '../errors.js';
import { duplicateKeyOf } from './duplicate-keys.js';

// eslint-disable-next-line no-control-regex -- the control characters are what this rule is about
const ANY_C0 = /[\u0000-\u001f]/;
// eslint-disable-next-line no-control-regex
const C0_BUT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/** Reported issues stop here: the first few say enough, and a hostile body may hold thousands. */
const MAX_ISSUES = 10;

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** Names a control character in plain words without echoing it. */
function describe(value: string, rule: RegExp): string {
  const found = rule.exec(value)!;
  const code = found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return `contains the control character U+${code} at position ${found.index}`;
}

/** Walks a parsed body without recursion (a 16 KB body can nest thousands of levels deep). */
function walkBody(body: unknown, issues: FieldIssue[]): void {
  const stack: { value: unknown; pointer: string }[] = [{ value: body, pointer: '/body' }];
  while (stack.length && issues.length < MAX_ISSUES) {
    const { value, pointer } = stack.pop()!;
    if (typeof value === 'string') {
      if (C0_BUT_WHITESPACE.test(value))
        issues.push({ pointer, message: describe(value, C0_BUT_WHITESPACE) });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, pointer: `${pointer}/${i}` }));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        // A bad name is reported at its object: the pointer must not carry the bytes it refuses.
        if (ANY_C0.test(key)) issues.push({ pointer, message: `a member name ${describe(key, ANY_C0)}` });
        else stack.push({ value: item, pointer: `${pointer}/${escapePointer(key)}` });
      }
    }
  }
}

function checkPath(path: string, issues: FieldIssue[]): void {
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      issues.push({ pointer: '/path', message: 'is not valid percent-encoded UTF-8' });
      return;
    }
    if (ANY_C0.test(decoded)) {
      issues.push({ pointer: '/path', message: describe(decoded, ANY_C0) });
      return;
    }
  }
}

function checkQuery(query: unknown, issues: FieldIssue[]): void {
  if (query === null || typeof query !== 'object') return;
  for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
    if (ANY_C0.test(name)) {
      issues.push({ pointer: '/query', message: `a parameter name ${describe(name, ANY_C0)}` });
      continue;
    }
    const pointer = `/query/${escapePointer(name)}`;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'string' && ANY_C0.test(item)) {
        issues.push({ pointer, message: describe(item, ANY_C0) });
        break;
      }
    }
  }
}

/** Mounted once, after the body parsers and before any router. */
export function inputRule() {
  return (req: Request, _res: Response, next: NextFunction) => {
    const issues: FieldIssue[] = [];
    checkPath(req.path, issues);
    checkQuery(req.query, issues);
    if (req.body !== undefined) walkBody(req.body, issues);
    const duplicate = duplicateKeyOf(req);
    if (duplicate && !ANY_C0.test(duplicate.name))
      issues.push({
        pointer: `/body${duplicate.pointer === '/' ? '' : duplicate.pointer}`,
        message: `names the member "${duplicate.name}" twice`,
      });
    if (!issues.length) return next();
    const shown = issues.slice(0, MAX_ISSUES);
    next(
      new ValidationError(
        `${duplicate && issues.length === 1 ? 'Duplicate member names are' : 'Control characters are'} not accepted in a request: ${shown.map((i) => `${i.pointer} ${i.message}`).join('; ')}.`,
        shown,
      ),
    );
  };
}
