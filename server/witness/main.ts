/**
 * `npm run witness -- --name <key name> --log <log vkey> [--log <vkey>…] [--port 3101] [--host 127.0.0.1]
 *   [--data .data/witness-<name>]`
 * Runs one C2SP tlog-witness as its own process, with its own key and state in its own folder (the key is
 * made on first start). Prints its URL and vkey; SIGTERM/SIGINT stop it. Exit code 2 on usage errors.
 */
import { parseArgs } from 'node:util';
import { startWitness } from './server.js';
import { witnessDataDir } from './dev-witnesses.js';

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    log: { type: 'string', multiple: true, default: [] },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    data: { type: 'string' },
  },
});

const usage =
  'usage: npm run witness -- --name <key name> --log <log vkey> [--log …] [--port N] [--host H] [--data DIR]\n';
const port = Number(values.port);
if (!values.name || /[\s+]/.test(values.name) || values.log.length === 0 || !Number.isInteger(port)) {
  process.stderr.write(usage);
  process.exit(2);
}

const running = await startWitness({
  name: values.name,
  dataDir: values.data ?? witnessDataDir('.data', values.name),
  logKeys: values.log,
  host: values.host,
  port,
}).catch((err: unknown) => {
  process.stderr.write(`witness failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

process.stdout.write(`witness ${running.name} listening on ${running.url}\nvkey ${running.vkey}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
