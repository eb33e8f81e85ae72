/**
 * JSON bodies with a member name twice in one object are refused (reliability check B2): JSON.parse
 * keeps the last one silently, so a proxy, a signature or a log that read the first would disagree
 * with what the gateway acted on. The scan runs on the raw bytes the JSON parser accepted (its
 * `verify` hook) and only notes the first duplicate; the input rule turns it into a 400.
 */
import type { IncomingMessage } from 'node:http';

const NOTE = Symbol('duplicate JSON member');

interface Frame {
  keys: Set<string> | undefined;
  /** In an object, the next string is a member name. */
  expectKey: boolean;
  pointer: string;
}

/** JSON Pointer of the first object holding a member name twice, or undefined. Invalid JSON: undefined. */
export function firstDuplicateKey(text: string): { pointer: string; name: string } | undefined {
  const stack: Frame[] = [];
  let lastKey = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      if (top?.keys && top.expectKey) {
        let name: string;
        try {
          name = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          return undefined;
        }
        if (top.keys.has(name)) return { pointer: top.pointer || '/', name };
        top.keys.add(name);
        top.expectKey = false;
        lastKey = name;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      const parent = stack.at(-1);
      const segment = parent?.keys ? lastKey.replace(/~/g, '~0').replace(/\//g, '~1') : '*';
      const pointer = parent ? `${parent.pointer}/${segment}` : '';
      stack.push({ keys: c === '{' ? new Set() : undefined, expectKey: c === '{', pointer });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack.at(-1);
      if (top?.keys) top.expectKey = true;
    }
  }
  return undefined;
}

/** express.json's `verify`: notes a duplicate member on the request (never throws: the parser would make it a 403). */
export function noteDuplicateKeys(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  const found = firstDuplicateKey(buf.toString('utf8'));
  if (found) (req as IncomingMessage & { [NOTE]?: typeof found })[NOTE] = found;
}

export function duplicateKeyOf(req: IncomingMessage): { pointer: string; name: string } | undefined {
  return (req as IncomingMessage & { [NOTE]?: { pointer: string; name: string } })[NOTE];
}
