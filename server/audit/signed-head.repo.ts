// knex only: the compare-and-swap on the signed tree head (migration 074): a checkpointer claims (origin, size, root)
// before it signs, and signs only if the claim is its own root.
import type { Runner } from '../db/unit-of-work.js';
import { bytesEqual } from './bytes.js';

export type Claim = { ok: true } | { ok: false; signedRoot: Uint8Array };

/**
 * Claims `root` for `size` of the log. Inside the caller's transaction, a concurrent claim of the same
 * size waits on the primary key until this one commits or rolls back, so of two racing checkpointers
 * exactly one root wins; the loser sees that root and must not sign its own.
 */
export async function claimSignedHead(
  db: Runner,
  origin: string,
  size: number,
  root: Uint8Array,
): Promise<Claim> {
  const inserted = (await db('signed_tree_head')
    .insert({ origin, size, root: Buffer.from(root) })
    .onConflict(['origin', 'size'])
    .ignore()
    .returning('size')) as unknown[];
  if (inserted.length === 1) return { ok: true };
  // A new statement, so (READ COMMITTED) it sees the row of the claim that beat ours.
  const row = (await db('signed_tree_head').where({ origin, size }).first('root')) as
    { root: Buffer } | undefined;
  if (!row) throw new Error(`signed tree head ${origin}@${size} conflicted but cannot be read`);
  return bytesEqual(row.root, root) ? { ok: true } : { ok: false, signedRoot: new Uint8Array(row.root) };
}
