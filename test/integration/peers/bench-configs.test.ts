/**
 * The benchmark configurations (bench/config/) stay valid as the settings
 * and dialplan schemas move: `belfry check` must accept the call bench's
 * folder and the registrar bench's folder once its users are generated, and
 * `belfry route` must still send the peer kit's `sip:bench@…` from trunk
 * bench-in out on trunk bench-out (docs/benchmarks.md, "Calls").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/belfry-process.ts';

const belfry = (...args: string[]) => spawnSync(join(repoRoot, 'bin', 'belfry'), args, { encoding: 'utf8', timeout: 60_000 });
const tsx = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });

test('bench/config/calls passes belfry check, and sip:bench from the UAC address leaves on trunk bench-out', () => {
  const dir = join(repoRoot, 'bench', 'config', 'calls');
  const check = belfry('check', '--config', dir);
  assert.equal(check.status, 0, check.stdout + check.stderr);
  const route = belfry('route', '--config', dir, '--from', 'sipp', '--to', 'bench');
  assert.equal(route.status, 0, route.stdout + route.stderr);
  assert.match(route.stdout, /inbound call on trunk bench-in/);
  assert.match(route.stdout, /EXTERNAL \+31205550000 via bench-out/);
});

test('the registrar bench config with 200 generated HA1 users passes belfry check', () => {
  const out = mkdtempSync(join(tmpdir(), 'belfry-bench-cfg-'));
  try {
    const gen = tsx(join('bench', 'gen-registrar-config.ts'), '200', 'bench.local', out);
    assert.equal(gen.status, 0, gen.stderr);
    const check = belfry('check', '--config', join(out, 'config'));
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /200 users/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
