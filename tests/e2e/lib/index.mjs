// Helpers for gatehouse's end-to-end tests. Each is small on purpose; read the
// source when in doubt. Nothing here talks to anything but 127.0.0.1.
//
//   startIdp(options)             -> { issuer, port, url, dir, stop(), logs(), setMode(), reset(), addUser() }
//   startGatehouse({binary, env}) -> { url, port, env, dir, stop(), logs(), cli(args, opts) }
//   runCli(args, {stdin, env})    -> { code, stdout, stderr }
//   launchBrowser()               -> playwright-core Browser (Debian chromium, headless)
//   screenshot(page, name)        -> path of artifacts/<name>.png
//   loginAtIdp(page, email, pw)   -> { error } after submitting the IdP's login form
//   gatehouseBinary()             -> absolute path of the binary under test ($GATEHOUSE_BIN)
//   freePort()                    -> a free TCP port on 127.0.0.1 (to know URLs before starting)
//   generateJwks(n)               -> private RS256 JWKS (for key-rotation tests: startIdp({ jwks }))

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ARTIFACTS_DIR = path.join(E2E_DIR, 'artifacts');
export { generateJwks } from './jwks.mjs';
export { startTestRp } from './rp.mjs';

/** Demo users, the same as idp/demo.json. */
export const DEMO_USERS = [
  { sub: '00u1admin0demo0000001', email: 'admin@demo.test', email_verified: true, name: 'Ada Admin', password: 'admin-password' },
  { sub: '00u2member0demo000002', email: 'member@demo.test', email_verified: true, name: 'Max Member', password: 'member-password' },
];

/** A free port on 127.0.0.1 (closed again at once; a tiny race, fine for tests). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/**
 * Spawns `node path args` (or any command), collects stdout+stderr, and resolves
 * once a line matches `ready` (a RegExp); rejects when the process exits first or
 * after timeoutMs. Returns { child, match, logs(), stop() }.
 */
function spawnUntil(cmd, args, { env, cwd, ready, timeoutMs = 20000, name }) {
  const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exited = null;
  const exitP = new Promise((resolve) => child.on('exit', (code, sig) => { exited = { code, sig }; resolve(exited); }));
  const stop = async (graceMs = 5000) => {
    if (exited) return exited;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const r = await exitP;
    clearTimeout(t);
    return r;
  };
  return new Promise((resolve, reject) => {
    let buf = { stdout: '', stderr: '' };
    let done = false;
    const timer = setTimeout(() => { if (!done) { done = true; stop(); reject(new Error(`${name}: not ready after ${timeoutMs} ms\n${out}`)); } }, timeoutMs);
    for (const stream of ['stdout', 'stderr']) {
      child[stream].setEncoding('utf8');
      child[stream].on('data', (d) => {
        out += d;
        if (done) return;
        buf[stream] += d;
        const lines = buf[stream].split('\n');
        buf[stream] = lines.pop();
        for (const line of lines) {
          const m = ready.exec(line);
          if (m) { done = true; clearTimeout(timer); buf = null; resolve({ child, match: m, logs: () => out, stop }); return; }
        }
      });
    }
    child.on('error', (err) => { if (!done) { done = true; clearTimeout(timer); reject(err); } });
    exitP.then((r) => {
      if (!done) { done = true; clearTimeout(timer); reject(new Error(`${name} exited (${r.code ?? r.sig}) before it was ready\n${out}`)); }
    });
  });
}

/**
 * Starts idp/server.mjs. Options (all optional):
 *   port (0), clients [{client_id, client_secret, redirect_uris, post_logout_redirect_uris,
 *   initiate_login_uri, target_link_uri, token_endpoint_auth_method}], users (DEMO_USERS),
 *   thinIdToken, testControls (true), issuerPath ('/oauth2/default'), issuerHost ('127.0.0.1'|'localhost'),
 *   jwks (a private JWKS object, e.g. from generateJwks()).
 * Returns { issuer, port, url, stop(), logs(), setMode({token:'hang'|'500'|'html'|'slow'|'delay'|'normal', ...}),
 *   reset(), addUser({email,password,name,...}), counts() → {discovery, authorization, token, userinfo, jwks, end_session} }.
 */
export async function startIdp(options = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gh-idp-'));
  const cfg = {
    port: options.port ?? 0,
    issuerPath: options.issuerPath ?? '',
    issuerHost: options.issuerHost ?? '127.0.0.1',
    thinIdToken: options.thinIdToken ?? false,
    testControls: options.testControls ?? true,
    clients: options.clients ?? [],
    users: options.users ?? DEMO_USERS,
    jwks: options.jwks,
  };
  const file = path.join(dir, 'idp.json');
  writeFileSync(file, JSON.stringify(cfg), { mode: 0o600 });
  const spawnIdp = () => spawnUntil(process.execPath, [path.join(E2E_DIR, 'idp/server.mjs'), '--config', file], {
    env: { ...process.env, NODE_NO_WARNINGS: '1' }, cwd: E2E_DIR, ready: /^idp listening on http:\/\/127\.0\.0\.1:(\d+)$/, name: 'idp',
  });
  // The IdP is test equipment: once in CI (2026-11-30) a start printed nothing
  // for 20 s where it takes well under one. A second process gets one more
  // chance, and the first failure is printed, so a real hang still fails.
  const p = await spawnIdp().catch((e) => {
    process.stderr.write(`idp did not start (${e.message.split('\n')[0]}); starting it once more\n`);
    return spawnIdp();
  }).catch((e) => { rmSync(dir, { recursive: true, force: true }); throw e; });
  const port = Number(p.match[1]);
  const url = `http://127.0.0.1:${port}`;
  const control = async (pathAndQuery, init) => {
    const r = await fetch(`${url}/_test/${pathAndQuery}`, init);
    if (!r.ok) throw new Error(`idp control ${pathAndQuery}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  return {
    issuer: `http://${cfg.issuerHost}:${port}${cfg.issuerPath}`,
    port,
    url,
    dir,
    logs: p.logs,
    process: p.child,
    setMode: (modes) => control(`mode?${new URLSearchParams(modes)}`),
    reset: () => control('reset'),
    counts: () => control('counts'),
    addUser: (user) => control('users', { method: 'POST', body: JSON.stringify(user) }),
    async stop() { await p.stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** Absolute path of the gatehouse binary: binary, else $GATEHOUSE_BIN, else ../../build/gatehouse. */
export function gatehouseBinary(binary) {
  return path.resolve(E2E_DIR, binary ?? process.env.GATEHOUSE_BIN ?? '../../build/gatehouse');
}

/**
 * Starts `gatehouse serve` in a fresh temporary directory (its own SQLite
 * database and key file unless env says otherwise) with GATEHOUSE_LISTEN=127.0.0.1:0,
 * and waits for the `listening on HOST:PORT` log line. env is merged over those defaults.
 * Returns { url, port, env, dir, stop(), logs(), cli(args, opts) } — cli runs the
 * same binary with the same environment (same database).
 */
export async function startGatehouse({ binary, env = {}, timeoutMs = 20000 } = {}) {
  const bin = gatehouseBinary(binary);
  const dir = mkdtempSync(path.join(tmpdir(), 'gh-serve-'));
  const fullEnv = {
    ...process.env,
    GATEHOUSE_LISTEN: '127.0.0.1:0',
    GATEHOUSE_DATABASE_URL: `sqlite://${path.join(dir, 'gatehouse.db')}`,
    GATEHOUSE_SECRET_KEY_FILE: path.join(dir, 'gatehouse.key'),
    GATEHOUSE_THREADS: '2',
    ...env,
  };
  const p = await spawnUntil(bin, ['serve'], {
    env: fullEnv, cwd: dir, ready: /listening on (\[[^\]]+\]|[\w.-]+):(\d+)/, name: 'gatehouse', timeoutMs,
  }).catch((e) => { rmSync(dir, { recursive: true, force: true }); throw e; });
  const host = p.match[1] === '0.0.0.0' ? '127.0.0.1' : p.match[1];
  const port = Number(p.match[2]);
  return {
    url: `http://${host}:${port}`,
    port,
    env: fullEnv,
    dir,
    logs: p.logs,
    process: p.child,
    cli: (args, opts = {}) => runCli(args, { binary, cwd: dir, ...opts, env: { ...fullEnv, ...opts.env } }),
    async stop({ keepDir = false } = {}) { const r = await p.stop(); if (!keepDir) rmSync(dir, { recursive: true, force: true }); return r; },
  };
}

/**
 * Runs the gatehouse binary with args; stdin (string) is written then closed.
 * env is merged over process.env. Resolves { code, signal, stdout, stderr }.
 */
export function runCli(args, { stdin, env = {}, cwd, binary, timeoutMs = 30000 } = {}) {
  const child = spawn(gatehouseBinary(binary), args, { env: { ...process.env, ...env }, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  child.stdin.on('error', () => {}); // the CLI may exit without reading stdin
  child.stdin.end(stdin ?? '');
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`gatehouse ${args.join(' ')}: timed out\n${stderr}`)); }, timeoutMs);
    child.on('error', (err) => { clearTimeout(t); reject(err); });
    child.on('close', (code, signal) => { clearTimeout(t); resolve({ code, signal, stdout, stderr }); });
  });
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Launches Debian's chromium through playwright-core with a fresh profile
 * (Playwright gives every launch its own temporary user-data dir). Close it with
 * browser.close(). Use one browser.newContext() per simulated person.
 */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30000 });
}

/** Saves a full-page PNG to tests/e2e/artifacts/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Fills the IdP's login form (labels "Username", "Password"; button "Sign in")
 * on the current page and waits until the browser has left the form: either for
 * the relying party (success) or back to the form with an error.
 * Returns { error } — the error text shown by the IdP, or null.
 */
export async function loginAtIdp(page, email, password, { timeout = 20000 } = {}) {
  await page.getByLabel('Username').waitFor({ timeout });
  const formUrl = page.url();
  await page.getByLabel('Username').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.href !== formUrl, { timeout });
  const alert = page.getByRole('alert');
  const onForm = /\/interaction\/[^/]+\/login$/.test(new URL(page.url()).pathname);
  return { error: onForm && await alert.count() ? (await alert.textContent()).trim() : null };
}
