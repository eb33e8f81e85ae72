/**
 * A clerk as a citizen may see them: never the staff id, a short reference the office can resolve (the first
 * six hex digits of its SHA-256), shown as "counter clerk (reference 3FA2C1)".
 */
import { createHash } from 'node:crypto';

export function clerkShortRef(clerkRef: string): string {
  return createHash('sha256').update(clerkRef).digest('hex').slice(0, 6).toUpperCase();
}
