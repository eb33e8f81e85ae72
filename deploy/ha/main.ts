/**
 * `npm run ha`: the high-availability stack on this machine — etcd, two Patroni/PostgreSQL 15 nodes
 * with synchronous replication, HAProxy, the reference registry and two production gateways —
 * from Debian's packages (installed when absent), on free loopback ports, in a temporary folder.
 * Prints the URLs and waits; Ctrl-C (or SIGTERM) stops every process it started and removes the
 * folder. `--keep` leaves the folder (logs, configuration) for a look afterwards.
 */
import { startHaService, type HaService } from './service.js';

const started = Date.now();
const log = (line: string) =>
  process.stderr.write(`[ha ${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}\n`);
const keep = process.argv.includes('--keep');

let service: HaService | undefined;
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  log('stopping every process started here');
  await service?.stop({ keep });
  log(
    keep && service ? `stopped; folder kept: ${service.cluster.dir}` : 'stopped; temporary folders removed',
  );
  process.exit(code);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));

try {
  service = await startHaService({ log });
} catch (err) {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  await shutdown(1);
}
if (service && !stopping) {
  const { cluster } = service;
  const leader = await cluster.leader();
  const lines = [
    '',
    `Gateways (round robin):   ${service.url}   (OpenAPI: ${service.url}/openapi.yaml, ready: ${service.url}/readyz)`,
    ...service.gateways.map((g) => `  ${g.name}:                http://127.0.0.1:${g.port}`),
    `PostgreSQL, leader:       ${cluster.writeUrl(service.dbUrl.split('/').pop())}`,
    `PostgreSQL, replica:      ${cluster.readUrl(service.dbUrl.split('/').pop())}`,
    ...cluster.nodes.map(
      (n) =>
        `  ${n.name}${n === leader ? ' (leader)' : ''}: PostgreSQL 127.0.0.1:${n.pgPort}, Patroni REST http://127.0.0.1:${n.restPort}`,
    ),
    `HAProxy statistics:       http://127.0.0.1:${cluster.statsPort}/`,
    `etcd:                     http://127.0.0.1:${cluster.etcdPort}`,
    `Token issuer:             ${service.idp.issuer}`,
    `patronictl:               patronictl -c ${cluster.nodes[0]!.config} list   (as user postgres)`,
    `Configuration and logs:   ${cluster.dir}`,
    '',
    'Ctrl-C stops everything and removes the folder.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}
