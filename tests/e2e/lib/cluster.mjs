// Helpers for running several gatehouse instances on one database
// (multi-instance.test.mjs). Everything stays on 127.0.0.1.
//
//   postgresMissing()              -> null, or why PostgreSQL cannot be run here (a skip reason)
//   startPostgres()                -> { url, port, dir, stop(), start(), remove() } — a throwaway server
//   writeSharedKey()               -> { file, remove() } — one master key for every instance
//   startRouter(backends)          -> { url, port, route, log, stop() } — a tiny load balancer whose
//                                     routing the test chooses, recording which backend served what

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { E2E_DIR, freePort } from './index.mjs';

const REPO = path.resolve(E2E_DIR, '../..');
const PG_SCRIPT = path.join(REPO, 'scripts/postgres');

function run(cmd, args, { timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${cmd} ${args.join(' ')}: timed out\n${stderr}`)); }, timeoutMs);
    child.on('error', (e) => { clearTimeout(t); reject(e); });
    child.on('close', (code) => {
      clearTimeout(t);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}\n${stdout}${stderr}`));
    });
  });
}

/** null when a throwaway PostgreSQL can be started here, else the reason it cannot. */
export function postgresMissing() {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
  const hasServer = versions.some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/postgres`));
  if (!hasServer) return 'PostgreSQL server binaries are absent (apt-get install postgresql; scripts/setup does)';
  if (!existsSync(PG_SCRIPT)) return `${PG_SCRIPT} is missing`;
  return null;
}

/**
 * A throwaway PostgreSQL on 127.0.0.1 with its own data directory and port,
 * run through scripts/postgres (which takes care of running it as a non-root
 * user). stop() and start() keep the data: the test stops the database under
 * running gatehouse instances and starts it again. remove() stops it and
 * deletes the directory.
 */
export async function startPostgres() {
  const dir = mkdtempSync(path.join(tmpdir(), 'gh-pg-'));
  const port = await freePort();
  const start = async () => (await run(PG_SCRIPT, ['start', dir, String(port)])).stdout;
  const out = await start();
  const url = out.split('\n').map((l) => l.trim()).find((l) => /^postgres(ql)?:\/\//.test(l));
  if (!url) throw new Error(`scripts/postgres start printed no postgresql:// URL:\n${out}`);
  const stop = async () => { await run(PG_SCRIPT, ['stop', dir]); };
  return {
    url,
    port,
    dir,
    stop,
    async start() { await start(); },
    async remove() { await stop().catch(() => {}); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** A 32-byte master key (mode 0600) to give every instance, as docs/deploy.md says. */
export function writeSharedKey() {
  const dir = mkdtempSync(path.join(tmpdir(), 'gh-key-'));
  const file = path.join(dir, 'gatehouse.key');
  writeFileSync(file, randomBytes(32), { mode: 0o600 });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A minimal HTTP load balancer on 127.0.0.1 in front of named backends
 * ({A: 'http://127.0.0.1:1234', B: ...}). `router.route` is a function
 * (req) -> backend name, settable at any time, so a test decides which
 * instance serves each request — e.g. the sign-in start on A and the callback
 * on B. Every request is recorded in `router.log` as {method, path, backend,
 * status}, and answers carry `X-Served-By: <name>`. Nothing is rewritten:
 * like nginx in docs/deploy.md, the instances all have the router's URL as
 * GATEHOUSE_PUBLIC_URL.
 */
export async function startRouter(backends) {
  const port = await freePort();
  const router = {
    url: `http://127.0.0.1:${port}`,
    port,
    route: () => Object.keys(backends)[0],
    log: [],
  };
  const server = createServer((req, res) => {
    const name = router.route(req);
    const target = new URL(backends[name]);
    const entry = { method: req.method, path: req.url, backend: name, status: null };
    router.log.push(entry);
    const up = httpRequest({
      host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers,
    }, (upRes) => {
      entry.status = upRes.statusCode;
      res.writeHead(upRes.statusCode, { ...upRes.headers, 'x-served-by': name });
      upRes.pipe(res);
    });
    up.on('error', (e) => {
      entry.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', 'x-served-by': name });
      res.end(`router: ${name} unreachable: ${e.message}`);
    });
    req.pipe(up);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  router.stop = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return router;
}
