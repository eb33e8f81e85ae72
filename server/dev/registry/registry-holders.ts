/**
 * The reference registries split by holder (DESIGN §4 "Holders"): one listener per holding agency,
 * each on its own port, trusting its own key and serving only that agency's record types, as the
 * real agencies' registries would. Used by `npm start` (in-process, free ports) and
 * `npm run registry` (its own process, the ports of a holders file).
 */
import type { JWK } from 'jose';
import type { Knex } from 'knex';
import type { Catalog } from '../../catalog/catalog.types.js';
import { startReferenceRegistry, type ReferenceRegistry } from './registry-server.js';

export interface HolderRegistries {
  /** One per holder, in the catalog's holder order. */
  registries: ReferenceRegistry[];
  /** Holder code → base URL. */
  urls: Record<string, string>;
  stop(): Promise<void>;
}

export async function startHolderRegistries(options: {
  db: Knex;
  catalog: Catalog;
  host?: string;
  /** Holder codes to serve; default every holder in the catalog. */
  holders?: readonly string[];
  /** Port per holder; 0 or absent picks a free one. */
  ports?: Readonly<Record<string, number>>;
  /** The keys each holder's registry trusts (read per request, so keys created later count). */
  trustedKeys: (holder: string) => readonly JWK[];
  /** Delay before every answer, per holder. */
  latencyMs?: Readonly<Record<string, number>>;
}): Promise<HolderRegistries> {
  const codes = options.holders ?? options.catalog.holders().map((h) => h.id);
  const registries: ReferenceRegistry[] = [];
  const stop = async () => {
    await Promise.all(registries.map((r) => r.stop()));
  };
  try {
    for (const code of codes) {
      registries.push(
        await startReferenceRegistry({
          db: options.db,
          catalog: options.catalog,
          holders: [code],
          port: options.ports?.[code] ?? 0,
          ...(options.host ? { host: options.host } : {}),
          trustedKeys: () => options.trustedKeys(code),
          ...(options.latencyMs?.[code] ? { latencyMs: options.latencyMs[code] } : {}),
        }),
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    registries,
    urls: Object.fromEntries(registries.map((r) => [r.holders[0]!, r.url])),
    stop,
  };
}
