// Helpers for running several gatehouse instances on one database
// (multi-instance.test.mjs). Everything stays on 127.0.0.1.
//
//   postgresMissing()              -> null, or why PostgreSQL cannot be run here (a skip reason)
//   startPostgres()                -> { url, port, dir, stop(), start(), remove() } — a throwaway server
//   writeSharedKey()               -> { file, remove() } — one master key for every instance
//   startRouter(backends)          -> { url, port, route, log, stop() } — a tiny load balancer whose
//                                     routing the test chooses, recording which backend served what
//   atExit(fn)                     -> unregister() — fn runs synchronously if the process ends before
//                                     the test's after() hook did the cleanup (a crash, SIGINT/SIGTERM)
//
// PostgreSQL runs as a daemon (pg_ctl), not as a child of node: nothing stops it
// when the test process dies, so startPostgres() registers its own atExit stop.

import { execFileSync, spawn } from 'node:child_process';
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

const exitWork = new Set();
let exitHooked = false;
function runExitWork() {
  for (const fn of [...exitWork].reverse()) {
    try { fn(); } catch { /* best effort: the process is ending */ }
  }
  exitWork.clear();
}

/**
 * Registers fn (synchronous) to run when the process exits, or is told to
 * stop by SIGINT/SIGTERM/SIGHUP, while fn is still registered. The normal
 * path is the test's after() hook, which unregisters it once done.
 */
export function atExit(fn) {
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', runExitWork);
    for (const [sig, n] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
      process.once(sig, () => { runExitWork(); process.exit(128 + n); });
    }
  }
  exitWork.add(fn);
  return () => { exitWork.delete(fn); };
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
  // Under /tmp, not $TMPDIR: run as root, the server runs as the `postgres`
  // user, which must reach the directory (a TMPDIR under /root it cannot).
  const dir = mkdtempSync('/tmp/gh-pg-');
  // Until remove(): stop the server and delete its directory even if the test
  // process dies first. pg_ctl refuses to stop a server that is not running,
  // which is fine.
  const forget = atExit(() => {
    try { execFileSync(PG_SCRIPT, ['stop', dir], { stdio: 'ignore', timeout: 30000 }); } catch { /* not running */ }
    rmSync(dir, { recursive: true, force: true });
  });
  const remove = async () => {
    await run(PG_SCRIPT, ['stop', dir]).catch(() => {}); // already stopped, or never started
    rmSync(dir, { recursive: true, force: true });
    forget();
  };
  try {
    const port = await freePort();
    const start = async () => (await run(PG_SCRIPT, ['start', dir, String(port)])).stdout;
    const out = await start();
    const url = out.split('\n').map((l) => l.trim()).find((l) => /^postgres(ql)?:\/\//.test(l));
    if (!url) throw new Error(`scripts/postgres start printed no postgresql:// URL:\n${out}`);
    return {
      url,
      port,
      dir,
      async stop() { await run(PG_SCRIPT, ['stop', dir]); },
      async start() { await start(); },
      remove,
    };
  } catch (e) {
    await remove();
    throw e;
  }
}

/** A 32-byte master key (mode 0600) to give every instance, as docs/deploy.md says. */
export function writeSharedKey() {
  const dir = mkdtempSync(path.join(tmpdir(), 'gh-key-'));
  const file = path.join(dir, 'gatehouse.key');
  writeFileSync(file, randomBytes(32), { mode: 0o600 });
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const forget = atExit(remove);
  return { file, remove() { remove(); forget(); } };
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
