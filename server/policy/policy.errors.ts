import { AppError, type FieldIssue } from '../errors.js';

export interface PolicyIssue {
  readonly file: string;
  /** JSON pointer inside the file ('' is the whole document). */
  readonly pointer: string;
  readonly message: string;
  readonly line?: number;
}

function describe(issue: PolicyIssue): string {
  const at = issue.line === undefined ? '' : ` (line ${issue.line})`;
  return `${issue.file} at ${issue.pointer === '' ? '/' : issue.pointer}${at}: ${issue.message}`;
}

/**
 * A policy file that cannot be used. Thrown at start-up, so it is a plain Error for the operator,
 * not an HTTP problem; the message names every file and JSON path at fault.
 */
export class PolicyFileError extends Error {
  readonly issues: readonly PolicyIssue[];
  readonly file: string;
  readonly pointer: string;

  constructor(issues: readonly PolicyIssue[]) {
    const first = issues[0] ?? { file: '(unknown)', pointer: '', message: 'invalid policy' };
    super(`Invalid policy: ${issues.map(describe).join('; ')}`);
    this.name = 'PolicyFileError';
    this.issues = issues;
    this.file = first.file;
    this.pointer = first.pointer;
  }
}

/**
 * A valid policy that does not fit the record type's schema (unknown field, form on a wrong type).
 * Fails closed at request time: nothing is released for that record type until it is fixed. The
 * specifics stay on `problems` for the log, out of the caller's problem body.
 */
export class PolicyConfigError extends AppError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(500, 'internal', 'Internal error', { detail: 'Something went wrong on our side.' });
    this.problems = problems;
    this.message = `Policy does not fit the record schema: ${problems.join('; ')}`;
  }
}

/** The released record did not match the plan's schema: a bug, so nothing leaves. */
export class ReleaseViolationError extends AppError {
  readonly violations: readonly FieldIssue[];
  constructor(violations: readonly FieldIssue[]) {
    super(500, 'internal', 'Internal error', { detail: 'Something went wrong on our side.' });
    this.violations = violations;
    this.message = `Release does not match its plan: ${violations.map((v) => `${v.pointer} ${v.message}`).join('; ')}`;
  }
}
