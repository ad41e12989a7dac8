// Proves the gatehouse helpers against a stand-in binary (fixtures/fake-gatehouse.mjs),
// so a failure in a gatehouse e2e test is about gatehouse, not the harness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, runCli, E2E_DIR } from './lib/index.mjs';

const binary = `${E2E_DIR}/fixtures/fake-gatehouse.mjs`;

for (const format of ['text', 'json']) {
  test(`startGatehouse finds the port from a ${format} log line; cli shares its environment`, async () => {
    const gh = await startGatehouse({ binary, env: { GATEHOUSE_LOG_FORMAT: format } });
    try {
      assert.match(gh.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(gh.port > 0);
      assert.equal(await (await fetch(`${gh.url}/healthz`)).text(), 'ok\n');
      const r = await gh.cli(['team', 'add', '--client-secret-stdin'], { stdin: 'secret\n' });
      assert.equal(r.code, 0);
      const out = JSON.parse(r.stdout);
      assert.equal(out.stdin, 'secret\n');
      assert.equal(out.db, gh.env.GATEHOUSE_DATABASE_URL);
      assert.match(gh.logs(), /listening on/);
    } finally {
      const { code } = await gh.stop();
      assert.equal(code, 0);
    }
  });
}

test('runCli reports exit code and stderr', async () => {
  const r = await runCli(['team', 'show', 'x', '--fail'], { binary });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'error: asked to fail\n');
});

test('startGatehouse rejects with the logs when the binary is missing', async () => {
  await assert.rejects(startGatehouse({ binary: '/nonexistent/gatehouse' }), /ENOENT/);
});
