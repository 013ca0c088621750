/**
 * docs/deploy/docker-compose.yml cannot run here (no Docker), so it is checked as far as it can be:
 * it parses (with YAML merge keys, as Compose reads them), and every fastsam command in it is accepted
 * by the CLI's own key schema, so the example cannot drift from the commands.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { parseArgs } from '../../lib/cli/args';
import { COMMANDS } from '../../lib/cli/index';
import { checkFlags, parseKeys } from '../../lib/options/key-schema';

const file = path.resolve(__dirname, '../../docs/deploy/docker-compose.yml');

/** Compose's `${NAME:-default}` with the defaults. */
const interpolate = (text: string) => text.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

test('the docker-compose example parses and its fastsam commands pass the CLI key schemas', () => {
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'), { merge: true });
  expect(doc.errors).toEqual([]);
  const compose = doc.toJS({ maxAliasCount: 100 }) as { services: Record<string, { command?: string[]; image?: string }> };
  const commands = Object.entries(compose.services).filter(([, service]) => service.image === 'fastsam:latest');
  expect(commands.map(([name]) => name).sort()).toEqual(['enqueue', 'worker', 'worker-gpu0']);
  for (const [, service] of commands) {
    const args = parseArgs(service.command!.map(interpolate));
    const command = COMMANDS[args.command!];
    expect(command).toBeDefined();
    checkFlags(command.schema, args.flags);
    const keys = parseKeys(command.schema, args.values);
    expect(keys.queue).toBe('fastsam');
    expect(keys.redis).toBe('redis://:change-me@redis:6379');
  }
  // Workers drain within the stop grace period.
  const worker = compose.services.worker as { command: string[]; stop_grace_period?: string };
  const drain = Number(worker.command.find((arg) => arg.startsWith('drain_timeout_ms='))!.split('=')[1]);
  expect(drain).toBeLessThan(Number.parseInt(worker.stop_grace_period!, 10) * 1000);
});
