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
    await waitFor(() => nodes.every((node) => node.output().includes('operator set files to 4, pinned: files 2 -> 4')), 10_000, 'scale up');

    const down = await runCli([...cli.flags, 'scale', 'files', '1'], cli.env);
    expect(down.code).toBe(0);
    await waitFor(() => nodes.every((node) => node.output().includes('operator set files to 1, pinned: files 4 -> 1')), 10_000, 'scale down');
    const auto = await runCli([...cli.flags, 'scale', 'files', 'auto'], cli.env);
    expect(auto.stdout).toContain('scale files auto sent to 2 node(s) (autoscaling back on)');
    await waitFor(() => nodes.every((node) => node.output().includes('operator turned autoscaling back on for files')), 10_000, 'unpin');

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

describe('heartbeats', () => {
  let redis: PrivateRedis;

  beforeAll(async () => {
    redis = await startPrivateRedis();
  });

  afterAll(async () => {
    await redis?.stop();
  });

  test('two running nodes both appear in status --json; one killed with -9 disappears within the TTL', async () => {
    const cli = cliEnvironment(redis.url);
    const nodes = [0, 1].map(() => startCli([...cli.flags, 'run', '--no-ui'], cli.env));
    await waitFor(() => nodes.every((node) => node.output().includes('"node started"')), 30_000, 'nodes to start');
    const statusNodes = async () =>
      (JSON.parse((await runCli([...cli.flags, 'status', '--json'], cli.env)).stdout) as {nodes: Array<{pid: number; resources?: {nodeRssBytes: number}}>}).nodes;
    const both = await waitFor(async () => {
      const listed = await statusNodes();
      return listed.length === 2 && listed.every((node) => node.resources !== undefined) ? listed : undefined;
    }, 15_000, 'both heartbeats');
    expect(both.map((node) => node.pid).sort()).toEqual(nodes.map((node) => node.pid).sort());
    expect(both.every((node) => node.resources!.nodeRssBytes > 10 * 2 ** 20)).toBe(true);

    nodes[0]!.kill('SIGKILL');
    const killedAt = Date.now();
    const remaining = await waitFor(async () => {
      const listed = await statusNodes();
      return listed.length === 1 ? listed : undefined;
    }, 20_000, 'the killed node to disappear');
    expect(remaining[0]!.pid).toBe(nodes[1]!.pid);
    // The TTL is 10 s from the last beat (taken before the kill); the rest is the status command's own start-up.
    expect(Date.now() - killedAt).toBeLessThan(16_000);

    nodes[1]!.kill('SIGTERM');
    expect((await nodes[1]!.result).code).toBe(0);
    // A node that stops cleanly removes its heartbeat at once.
    expect(await statusNodes()).toEqual([]);
  });
});
