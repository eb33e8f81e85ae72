import knex from 'knex';
import { accessLogPage } from './server/audit/audit.repo.ts';
const db = knex({ client: 'pg', connection: 'postgres://postgres@127.0.0.1:5432/juc_bench' });
db.on('query', (q: any) => console.log(q.sql, JSON.stringify(q.bindings)));
const key = process.argv[2]!;
const t = Date.now();
const r = await accessLogPage(db as any, key, {}, new Date(), { limit: 51 });
console.error(Date.now() - t, 'ms', r.rows.length, r.pending);
await db.destroy();
