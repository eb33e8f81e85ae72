/**
 * A database that goes away mid-query (a crash, a failover) must read as "unavailable" (503), not
 * as a bug (500): node-postgres reports a socket closed under a query as a plain Error, no code.
 */
import { expect } from 'chai';
import { createServer, connect, type Socket } from 'node:net';
import { createDb, isConnectionError } from '../../../server/db/db.js';
import { toAppError } from '../../../server/http/problem.js';
import { freshDatabase } from '../../support/database.js';

describe('database connection lost mid-query', function () {
  this.timeout(20_000);

  it('classifies the error as a connection error, answered as a 503 problem', async () => {
    const { url } = await freshDatabase({ migrate: false });
    const target = new URL(url);
    // A TCP relay in front of the real server that we can cut while a query runs.
    const sockets: Socket[] = [];
    const relay = createServer((client) => {
      const server = connect(Number(target.port || 5432), target.hostname);
      sockets.push(client, server);
      client.pipe(server).pipe(client);
      client.on('error', () => undefined);
      server.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const port = (relay.address() as { port: number }).port;
    const viaRelay = new URL(url);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(port);
    const db = createDb({ url: viaRelay.toString(), poolMax: 1, statementTimeoutMs: 15_000 });
    try {
      await db.raw('SELECT 1');
      const running = db.raw('SELECT pg_sleep(5)').then(
        () => undefined,
        (err: unknown) => err,
      );
      await new Promise((r) => setTimeout(r, 200));
      for (const s of sockets) s.destroy();
      const err = await running;
      expect(err, 'the query failed').to.be.instanceOf(Error);
      expect((err as { code?: string }).code, 'no SQLSTATE').to.equal(undefined);
      expect(isConnectionError(err), String(err)).to.equal(true);
      expect(toAppError(err).status).to.equal(503);
      expect(isConnectionError(new Error('syntax error at or near "SELEC"'))).to.equal(false);
    } finally {
      await db.destroy();
      relay.close();
    }
  });

  it('answers a write that reached a node which is not the leader (25006, mid-failover) as a 503', async () => {
    const { db } = await freshDatabase({ migrate: false });
    const err = await db
      .transaction(async (trx) => {
        // What a standby (or a demoted leader still behind the write front) says to a write.
        await trx.raw('SET TRANSACTION READ ONLY');
        await trx.raw('CREATE TABLE not_here (id int)');
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((err as { code?: string }).code).to.equal('25006');
    expect(isConnectionError(err), String(err)).to.equal(true);
    expect(toAppError(err).status).to.equal(503);
  });
});
