/**
 * Closed-loop bank queries that record every answer (status, request id, whether it carried data,
 * when it was sent and answered): the load the fault suite and the reliability harness break
 * things under, then cross-check against the audit log.
 */
import { dpopSigner } from '../../bench/load.js';
import { BENCH_PURPOSE, ONE_RECORD, type BenchClient } from '../../bench/lib/prepare.js';
import { sleep } from '../../bench/lib/procs.js';

export interface Answer {
  status: number;
  requestId: string | undefined;
  data: boolean;
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

/** Closed-loop bank queries from `concurrency` loops; every answer is recorded. */
export class Load {
  answers: Answer[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private next = 0;
  private readonly signers: { authorization: string; proof: (m: string, u: string) => string }[];
  private readonly url: string;
  private readonly items: Item[];

  private readonly concurrency: number;

  constructor(url: string, clients: BenchClient[], items: Item[], concurrency = 8) {
    this.concurrency = concurrency;
    this.url = url;
    this.items = items;
    this.signers = clients.map((c) => ({
      authorization: `DPoP ${c.accessToken}`,
      proof: dpopSigner(c.dpopJwk, c.accessToken),
    }));
  }

  /** One query with the next consent; returns the recorded answer. */
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
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      let body: { queryId?: string; instance?: string; records?: { outcome: string }[] } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // not JSON: recorded as no data
      }
      const data = res.ok && (body.records ?? []).some((r) => r.outcome === 'released');
      return {
        status: res.status,
        requestId: body.queryId ?? res.headers.get('x-request-id') ?? undefined,
        data,
        at,
        done: Date.now(),
      };
    } catch (err) {
      return {
        status: 0,
        requestId: undefined,
        data: false,
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
        if (answer.status === 0) await sleep(50); // refused connections: do not spin
      }
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}
