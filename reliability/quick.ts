/** The checks quick enough for `npm test` (B, A, I, F2, F3), in the order both runners use. */
import { ACCESS } from './checks/access.js';
import { BAD_INPUT } from './checks/bad-input.js';
import { F2, F3 } from './checks/db-faults.js';
import { INTEGRITY } from './checks/integrity.js';
import type { Check } from './types.js';

const last = ACCESS.find((c) => c.id === 'A10')!;
/** A10 spends the client's query quota, so it runs after every other check that queries. */
export const QUICK_CHECKS: Check[] = [
  ...BAD_INPUT,
  ...ACCESS.filter((c) => c !== last),
  ...INTEGRITY,
  F2,
  F3,
  last,
];
