/**
 * Steady load of verified queries through HAProxy's gateway front, every answer recorded with what
 * the fault checks need: status, request id, whether data was released, and for refusals whether
 * they were the fail-closed kind (503 problem+json with Retry-After) or a proxy's own error.
 */
import { dpopSigner } from '../../../bench/load.js';
import { BENCH_PURPOSE, ONE_RECORD, type BenchClient } from '../../../bench/lib/prepare.js';
import { sleep } from '../../../bench/lib/procs.js';

export interface Answer {
  status: number;
  requestId: string | undefined;
  data: boolean;
  /** A 503 answered by a gateway as application/problem+json with Retry-After. */
  failClosed: boolean;
  /** Answered as application/problem+json by a gateway (with its X-Request-Id), not by HAProxy. */
  problem: boolean;
  error?: string;
  /** Sent and answered (ms since epoch). */
  at: number;
  done: number;
}

export interface Item {
  client: number;
  rrn: string;
  consentToken: string;
}

export class Load {
  answers: Answer[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private next = 0;
  private readonly signers: { authorization: string; proof: (m: string, u: string) => string }[];

  private readonly url: string;
  private readonly items: Item[];
  private readonly concurrency: number;

  constructor(url: string, clients: BenchClient[], items: Item[], concurrency: number) {
    this.url = url;
    this.items = items;
    this.concurrency = concurrency;
    this.signers = clients.map((c) => ({
      authorization: `DPoP ${c.accessToken}`,
      proof: dpopSigner(c.dpopJwk, c.accessToken),
    }));
  }

  async query(): Promise<Answer> {
    const item = this.items[this.next++ % this.items.length]!;
    const signer = this.signers[item.client]!;
    const htu = `${this.url}/v1/queries`;
    const at = Date.now();
    try {
      const res = await fetch(htu, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: signer.authorization,
          dpop: signer.proof('POST', htu),
        },
        body: JSON.stringify({
          purpose: BENCH_PURPOSE,
          subject: { scheme: 'rrn', id: item.rrn },
          mode: 'full',
          records: ONE_RECORD.map((recordType) => ({ recordType })),
          consent: { token: item.consentToken },
        }),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      let body: { queryId?: string; records?: { outcome: string }[] } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // not JSON (a proxy's own error page): no data
      }
      const data = res.ok && (body.records ?? []).some((r) => r.outcome === 'released');
      // HAProxy answers its own 503s as problem+json too (deploy/ha/haproxy.cfg); only a gateway's
      // answers carry its X-Request-Id.
      const problem =
        (res.headers.get('content-type') ?? '').startsWith('application/problem+json') &&
        res.headers.has('x-request-id');
      return {
        status: res.status,
        requestId: body.queryId ?? res.headers.get('x-request-id') ?? undefined,
        data,
        failClosed: res.status === 503 && problem && /^\d+$/.test(res.headers.get('retry-after') ?? ''),
        problem,
        at,
        done: Date.now(),
      };
    } catch (err) {
      return {
        status: 0,
        requestId: undefined,
        data: false,
        failClosed: false,
        problem: false,
        error: (err as Error).name,
        at,
        done: Date.now(),
      };
    }
  }

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.concurrency }, async () => {
      while (this.running) {
        const answer = await this.query();
        this.answers.push(answer);
        // Refusals are answered at once: back off a little so the load stays steady, not a spin.
        if (!answer.data) await sleep(answer.status === 0 ? 100 : 50);
      }
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

export function countBy(values: (number | string)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
