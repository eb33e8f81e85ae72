/**
 * knex only: the redirect URIs registered for API clients (migration 043), shown beside each client. They are
 * read here only: the admin API has no use case that changes them (they are registered outside it).
 */
import type { Knex } from 'knex';

export function createRedirectsRepo(db: Knex) {
  return {
    async byClient(clientIds: string[]): Promise<Map<string, string[]>> {
      const out = new Map<string, string[]>(clientIds.map((id) => [id, []]));
      if (clientIds.length === 0) return out;
      const rows = (await db('api_client_redirect_uri')
        .whereIn('client_id', clientIds)
        .orderBy(['client_id', 'uri'])
        .select('client_id', 'uri')) as { client_id: string; uri: string }[];
      for (const r of rows) out.get(r.client_id)?.push(r.uri);
      return out;
    },
  };
}

export type RedirectsRepo = ReturnType<typeof createRedirectsRepo>;
