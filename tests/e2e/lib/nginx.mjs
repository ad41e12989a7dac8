// Runs the example deploy/nginx/gatehouse.conf for real, on 127.0.0.1, in front
// of running gatehouse instances and a stand-in inference server — so the
// example operators copy is tested for what it does, not only for syntax
// (deploy/check does that).
//
//   nginxMissing()                                  -> null, or why nginx cannot run here
//   startNginxExample({gatehouse: [url...], inference: url})
//       -> { port, request(host, path, {method, headers, body}) -> {status, headers, text}, stop(), logs() }
//   startInference()                                -> { url, seen: [{method, url, headers, body}], stop() }
//
// What is rewritten in a copy of the example, and nothing else: the upstream
// server lines (to the given URLs), the listen lines (one loopback port for
// TLS, one for plain http; IPv6 lines dropped), and the certificate paths (a
// self-signed certificate for both names).

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { E2E_DIR, freePort } from './index.mjs';
import { atExit } from './cluster.mjs';

export const NGINX_EXAMPLE = path.resolve(E2E_DIR, '../../deploy/nginx/gatehouse.conf');
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

export function nginxMissing() {
  if (!NGINX) return 'nginx is not installed (apt-get install nginx; scripts/setup does)';
  if (!existsSync(NGINX_EXAMPLE)) return `${NGINX_EXAMPLE} is missing`;
  return null;
}

/** Replaces the server lines inside `upstream NAME { … }` with one line per URL. */
function setUpstream(conf, name, urls) {
  const re = new RegExp(`(upstream ${name} \\{\\n)((?:\\s*server [^\\n]*\\n)+)`);
  if (!re.test(conf)) throw new Error(`no upstream ${name} with server lines in the example`);
  return conf.replace(re, (_, head) => head + urls.map((u) => `    server ${new URL(u).host};\n`).join(''));
}

export async function startNginxExample({ gatehouse, inference }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gh-nginx-'));
  mkdirSync(path.join(dir, 'logs'));
  const [port, plainPort] = [await freePort(), await freePort()];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=sso.example.com', '-addext', 'subjectAltName=DNS:sso.example.com,DNS:api.example.com',
    '-keyout', path.join(dir, 'privkey.pem'), '-out', path.join(dir, 'fullchain.pem')], { stdio: 'ignore' });
  let conf = readFileSync(NGINX_EXAMPLE, 'utf8');
  conf = setUpstream(conf, 'gatehouse', gatehouse);
  conf = setUpstream(conf, 'inference', [inference]);
  conf = conf.replace(/^\s*listen \[::\]:\d+[^\n]*\n/gm, '')
    .replace(/listen 443 ssl http2;/g, `listen 127.0.0.1:${port} ssl http2;`)
    .replace(/listen 80;/g, `listen 127.0.0.1:${plainPort};`)
    .replaceAll('/etc/ssl/gatehouse/', `${dir}/`);
  writeFileSync(path.join(dir, 'gatehouse.conf'), conf);
  // One process, as the current user, everything under dir.
  writeFileSync(path.join(dir, 'nginx.conf'), `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log info;
events {}
http {
    access_log ${dir}/logs/access.log;
    include ${dir}/gatehouse.conf;
}
`);
  const child = spawn(NGINX, ['-p', dir, '-e', path.join(dir, 'logs/error.log'), '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Should the test process die before stop(): no nginx and no directory left behind.
  const forget = atExit(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGQUIT');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
    forget();
  };
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { out += d; });
  const logs = () => {
    let err = '';
    try { err = readFileSync(path.join(dir, 'logs/error.log'), 'utf8'); } catch { /* not yet */ }
    return out + err;
  };

  /** HTTPS to nginx with SNI and Host set to `host` (sso.example.com or api.example.com). */
  const request = (host, route, { method = 'GET', headers = {}, body } = {}) => new Promise((resolve, reject) => {
    const req = httpsRequest({
      host: '127.0.0.1', port, path: route, method, servername: host, rejectUnauthorized: false,
      headers: { host, ...headers, ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => { text += d; }).on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });

  // Ready when it answers on the TLS port (any status).
  const t0 = Date.now();
  for (;;) {
    let failure = null;
    if (child.exitCode !== null) failure = `nginx exited (${child.exitCode}):\n${logs()}`;
    else {
      try { await request('sso.example.com', '/healthz'); break; } catch (e) {
        if (Date.now() - t0 > 10000) failure = `nginx not answering: ${e.message}\n${logs()}`;
      }
    }
    if (failure) { await stop(); throw new Error(failure); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, plainPort, request, logs, stop };
}

/** A stand-in for the model servers: answers 200 with what it received, and records it. */
export async function startInference() {
  const port = await freePort();
  const seen = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d) => { body += d; }).on('end', () => {
      const r = { method: req.method, url: req.url, headers: req.headers, body };
      seen.push(r);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'chat.completion', echo: r }));
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
