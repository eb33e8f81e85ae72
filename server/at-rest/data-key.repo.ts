/** knex only: wrapped data keys (migration 075). */
import type { Knex } from 'knex';

/** What a data key is for: it is bound into everything it seals, so a key made for one use opens no other. */
export type DataKeyPurpose = 'query-replay';

export interface StoredDataKey {
  id: string;
  purpose: DataKeyPurpose;
  /** The key store's text form, naming the KEK that wrapped it. */
  wrapped: string;
  createdAt: Date;
}

/** Every table that stores values sealed by a data key, and its column naming the key. */
const SEALED_COLUMNS: readonly { table: string; column: string }[] = [
  { table: 'query_idempotency', column: 'data_key_id' },
];

export function createDataKeyRepo(db: Knex) {
  return {
    async insert(key: StoredDataKey): Promise<void> {
      await db('data_key').insert({
        id: key.id,
        purpose: key.purpose,
        wrapped: key.wrapped,
        created_at: key.createdAt,
      });
    },

    async get(id: string): Promise<StoredDataKey | undefined> {
      const row = await db('data_key').where({ id }).first();
      if (!row) return undefined;
      return { id: row.id, purpose: row.purpose, wrapped: row.wrapped, createdAt: row.created_at };
    },

    /** Deletes keys of `purpose` made before `before` that no stored value names; returns their ids. */
    async deleteUnused(purpose: DataKeyPurpose, before: Date): Promise<string[]> {
      let query = db('data_key').where({ purpose }).andWhere('created_at', '<', before);
      for (const { table, column } of SEALED_COLUMNS) {
        query = query.whereNotExists(
          db(table).select(db.raw('1')).whereRaw(`${table}.${column} = data_key.id`),
        );
      }
      const rows: { id: string }[] = await query.delete().returning('id');
      return rows.map((r) => r.id);
    },
  };
}

export type DataKeyRepo = ReturnType<typeof createDataKeyRepo>;
