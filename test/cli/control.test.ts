import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cliEnvironment, runCli, startCli, startPrivateRedis, waitFor, type PrivateRedis} from '../helpers/processes.js';

describe('operator commands reach running nodes', () => {
  let redis: PrivateRedis;

  beforeAll(async () => {
    redis = await startPrivateRedis();
  });

  afterAll(async () => {
    await redis?.stop();
  });

  test('scale files N resizes the file pool of every running node, both ways', async () => {
    const cli = cliEnvironment(redis.url);
    const nodes = [0, 1].map(() => startCli([...cli.flags, 'run', '--no-ui', '--file-workers', '2', '--log-level', 'info'], cli.env));
    await waitFor(() => nodes.every((node) => node.output().includes('"node started"')), 30_000, 'nodes to start');
    // The control subscription is made right after start; give it a moment to be in place.
    await waitFor(async () => (await runCli([...cli.flags, 'scale', 'files', '4'], cli.env)).stdout.includes('sent to 2 node(s)'), 10_000, 'both nodes to listen');
    await waitFor(() => nodes.every((node) => node.output().includes('file pool 2 -> 4 workers')), 10_000, 'scale up');

    const down = await runCli([...cli.flags, 'scale', 'files', '1'], cli.env);
    expect(down.code).toBe(0);
    await waitFor(() => nodes.every((node) => node.output().includes('file pool 4 -> 1 workers')), 10_000, 'scale down');

    for (const node of nodes) node.kill('SIGTERM');
    for (const node of nodes) expect((await node.result).code).toBe(0);

    const nobody = await runCli([...cli.flags, 'scale', 'files', '2'], cli.env);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toMatch(/^crawler-tui: no running node listens on .* nothing to scale/);
    const bad = await runCli([...cli.flags, 'scale', 'files', '0'], cli.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('crawler-tui: invalid value for scale files: "0"; allowed: an integer from 1 to 64');
  });
});
