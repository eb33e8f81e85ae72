/**
 * A bank's whole flow with DPoP, sent through a validating proxy (Stoplight Prism, proxy mode,
 * `--errors`) in front of the gateway, to check that openapi/gateway.yaml tells the truth about
 * every request a bank sends and every answer it gets. Run by hand (Prism is fetched by npx, it is
 * not a dependency):
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx test/contract/bank-flow.ts
 *
 * It boots the gateway as `npm start` does (dev identity provider, demo data, a fresh database),
 * starts Prism in front of it as the public URL, and runs: a DPoP-bound token, consent request,
 * the citizen's sign-in and approval, polling, a consent token, a query with a signed copy, the
 * audit receipt until it is in the log, a query refused for want of scope, and a bearer client. Pages (sign-in, the
 * approval screen) are not API operations, so the citizen's browser reaches them beside Prism, as an
 * ingress would route them. Prints every step with the violations Prism reported for it (its
 * `sl-violations` header and its log) and exits 1 on any violation or unexpected status.
 * `--direct` runs the same flow without Prism; `--spec <file>` puts another contract in front (to
 * see the check fail, e.g. one whose only token scheme is `http bearer`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compactVerify, createRemoteJWKSet } from 'jose';
import { startService } from '../../server/boot.js';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/http/logger.js';
import { LogCapture } from '../support/app.js';
import { freshDatabase } from '../support/database.js';
import { stopAll } from '../support/resources.js';
import { bankApi, citizenApproves, type Step } from './bank-flow-steps.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PRISM = '@stoplight/prism-cli@5';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Prism in proxy mode; resolves once it listens, collecting its log lines. */
async function startPrism(
  spec: string,
  upstream: string,
  port: number,
  log: string[],
): Promise<ChildProcess> {
  const args = ['-y', PRISM, 'proxy', spec, upstream, '--errors'];
  const child = spawn('npx', [...args, '--host', '127.0.0.1', '--port', String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  console.log(`$ npx ${args.join(' ')} --host 127.0.0.1 --port ${port}`);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Prism did not start within 120 s')), 120_000);
    const read = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        log.push(line);
        if (/Prism is listening/.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`Prism exited (${code}): ${log.slice(-5).join('\n')}`)));
  });
  return child;
}

/** The bank's flow; every exchange lands in `steps`, and the first unexpected answer ends it. */
async function runFlow(publicUrl: string, gatewayUrl: string, idpIssuer: string, steps: Step[]) {
  const api = await bankApi({ publicUrl, idpIssuer, steps });

  await api.call('GET', '/v1/me', { expect: 200 });
  await api.call('GET', '/v1/purposes/loan.mortgage-screening', { expect: 200 });
  const created = await api.call('POST', '/v1/consent-requests', {
    expect: 201,
    body: {
      subject: { scheme: 'rrn', id: '850314-1234562' },
      purpose: 'loan.mortgage-screening',
      records: [
        {
          recordType: 'resident.registration-abstract',
          fields: { required: ['householdHeadName', 'address'], optional: ['members'] },
        },
      ],
      durationDays: 60,
      usage: { fetch: 'limited', maxUses: 2 },
      dataLife: { unit: 'month', value: 3 },
      redirectUri: 'http://127.0.0.1:9/return',
      state: 'loan-42',
    },
  });
  const id = created.id as string;
  await api.call('GET', `/v1/consent-requests/${id}`, { expect: 200 });
  await citizenApproves({ consentUrl: created.citizenUrl as string, publicUrl, gatewayUrl, steps });
  const polled = await api.call('GET', `/v1/consent-requests/${id}`, { expect: 200 });
  if (polled.status !== 'ACTIVE') throw new Error(`the consent is ${String(polled.status)}, not ACTIVE`);
  const { token } = await api.call('POST', `/v1/consents/${id}/token`, { expect: 200 });
  const answer = await api.call('POST', '/v1/queries', {
    expect: 200,
    headers: { 'idempotency-key': `flow-${id}` },
    body: {
      purpose: 'loan.mortgage-screening',
      subject: { scheme: 'rrn', id: '850314-1234562' },
      records: [{ recordType: 'resident.registration-abstract', fields: ['householdHeadName', 'address'] }],
      mode: 'full',
      consent: { token },
      signedCopy: true,
    },
  });
  const record = (answer.records as Record<string, unknown>[])[0]!;
  if (record.outcome !== 'released') throw new Error(`the record was ${String(record.outcome)}`);
  await api.call('GET', '/.well-known/jwks.json', { expect: 200 });
  const copy = await compactVerify(
    record.signedCopy as string,
    createRemoteJWKSet(new URL('/.well-known/jwks.json', publicUrl)),
  );
  steps.push({ step: `signed copy verifies (${copy.protectedHeader.alg})`, status: 'ok', violations: [] });
  const entryId = (record.audit as { entryId: number }).entryId;
  for (let i = 0; ; i++) {
    const receipt = await api.call('GET', `/v1/log/receipts/${entryId}`, { expect: 200 });
    if (receipt.status !== 'pending') break;
    if (i === 40) throw new Error('the receipt stayed pending for 20 s');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await api.call('GET', '/v1/log/checkpoint', { expect: 200 });
  const readOnly = await bankApi({
    publicUrl,
    idpIssuer,
    steps,
    scope: 'consents:read',
  });
  await readOnly.call('POST', '/v1/queries', {
    expect: 403,
    body: { purpose: 'loan.mortgage-screening', mode: 'full', procedure: true, consent: { token } },
  });
  // A client registered without DPoP: the bearer scheme; another bank's receipt looks like none.
  const bearer = await bankApi({ publicUrl, idpIssuer, steps, clientId: 'bank-nuri-app', dpop: false });
  await bearer.call('GET', '/v1/me', { expect: 200 });
  await bearer.call('GET', `/v1/log/receipts/${entryId}`, { expect: 404 });
}

async function main(): Promise<number> {
  const direct = process.argv.includes('--direct');
  const specAt = process.argv.indexOf('--spec');
  const spec = specAt > 0 ? process.argv[specAt + 1]! : 'openapi/gateway.yaml';
  const database = await freshDatabase();
  const [port, idpPort, prismPort] = [await freePort(), await freePort(), await freePort()];
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const publicUrl = direct ? gatewayUrl : `http://127.0.0.1:${prismPort}`;
  const dirs = [mkdtempSync(join(tmpdir(), 'juc-flow-keys-')), mkdtempSync(join(tmpdir(), 'juc-flow-dev-'))];
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: publicUrl,
    KEY_STORE_DIR: dirs[0]!,
    DEV_DATA_DIR: dirs[1]!,
    DEV_IDP_PORT: String(idpPort),
    SEED_DEMO_DATA: 'true',
    VALIDATE_RESPONSES: 'true',
  });
  const running = await startService(config, createLogger('warn', new LogCapture()));
  const prismLog: string[] = [];
  let prism: ChildProcess | undefined;
  try {
    if (!direct) prism = await startPrism(spec, gatewayUrl, prismPort, prismLog);
    const steps: Step[] = [];
    let failure: unknown;
    await runFlow(publicUrl, gatewayUrl, `http://127.0.0.1:${idpPort}`, steps).catch((err: unknown) => {
      failure = err;
    });
    const logged = prismLog.filter((line) => /Violation:/.test(line));
    const count = (where: string) =>
      steps.flatMap((s) => s.violations).filter((v) => v.startsWith(where)).length;
    for (const s of steps) {
      console.log(`${s.status === 'ok' || typeof s.status === 'number' ? ' ' : '!'} ${s.step} → ${s.status}`);
      for (const v of s.violations) console.log(`    violation: ${v}`);
    }
    for (const line of logged) console.log(`  prism: ${line}`);
    const unexpected = steps.filter((s) => s.unexpected).length;
    console.log(
      `${steps.length} steps (${steps.filter((s) => s.proxied).length} API calls through ${direct ? 'no proxy' : 'Prism'}), ` +
        `${count('request')} request violations, ${count('response')} response violations, ` +
        `${logged.length} violations in Prism's log, ${unexpected} unexpected statuses`,
    );
    if (failure)
      console.log(`The flow stopped: ${failure instanceof Error ? failure.message : String(failure)}`);
    return count('request') + count('response') + logged.length + unexpected === 0 && !failure ? 0 : 1;
  } finally {
    prism?.kill();
    await running.stop();
    await stopAll();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
