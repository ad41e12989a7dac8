// End-to-end: every way gatehouse must refuse a sign-in (SPEC.md §3 and §7),
// at the HTTP level, against a real gatehouse and the real demo IdP. One test
// per refusal, named after the attack it stops. For each refusal: the status
// SPEC.md §3 gives, an HTML error page with a reference id, no session cookie
// set, and /api/v1/me → 401 afterwards.
//
// "Browsers" here are small cookie jars around fetch (redirects followed by
// hand), so each test sees every hop; a real chromium is used only where the
// browser's own URL handling is the point (open redirects) and to screenshot
// each kind of error page into artifacts/err-*.png.
// Skipped when the binary is not built ($GATEHOUSE_BIN, default ../../build/gatehouse).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  startIdp, startGatehouse, runCli, freePort, launchBrowser, screenshot, loginAtIdp, gatehouseBinary,
} from './lib/index.mjs';

const skip = existsSync(gatehouseBinary()) ? false : `gatehouse binary not built at ${gatehouseBinary()}`;

const ADMIN = { email: 'admin@demo.test', password: 'admin-password', name: 'Ada Admin' };
const MEMBER = { email: 'member@demo.test', password: 'member-password', name: 'Max Member' };
const IDP_TIMEOUT_MS = 2000;
const REFERENCE = /Reference:\s*<code>([0-9a-f]{8}-[0-9a-f]+)<\/code>/;
const SESSION_SET = /^(__Host-)?gh_session=[^;\s]+/; // a Set-Cookie that sets a value (not a clearing one)

/**
 * A tiny browser stand-in: a cookie jar (per host name, like browsers: ports
 * share cookies; Path respected; Max-Age/Expires honoured) around fetch with
 * manual redirects.
 */
class Jar {
  constructor(name) { this.name = name; this.cookies = new Map(); }

  set(host, name, value, path = '/') { this.cookies.set(`${host};${path};${name}`, { host, name, value, path }); }

  get(host, name) {
    for (const c of this.cookies.values()) if (c.host === host && c.name === name) return c.value;
    return undefined;
  }

  store(url, setCookies) {
    const host = new URL(url).hostname;
    for (const sc of setCookies) {
      const [pair, ...attrs] = sc.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let dead = value === '';
      for (const a of attrs) {
        const [k, v = ''] = a.split('=');
        const key = k.toLowerCase();
        if (key === 'path' && v.startsWith('/')) path = v;
        if (key === 'max-age' && Number(v) <= 0) dead = true;
        if (key === 'expires' && Date.parse(v) <= Date.now()) dead = true;
      }
      const key = `${host};${path};${name}`;
      if (dead) this.cookies.delete(key); else this.cookies.set(key, { host, name, value, path });
    }
  }

  header(url) {
    const u = new URL(url);
    return [...this.cookies.values()]
      .filter((c) => c.host === u.hostname && (u.pathname === c.path || u.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`).join('; ');
  }

  /** One request, no redirects followed. Returns { status, headers, location, text, setCookies, url, ms }. */
  async fetch(url, { method = 'GET', form, headers = {}, signal } = {}) {
    const h = { ...headers };
    const cookie = this.header(url);
    if (cookie) h.cookie = cookie;
    let body;
    if (form) { body = new URLSearchParams(form).toString(); h['content-type'] = 'application/x-www-form-urlencoded'; }
    const t0 = performance.now();
    const res = await fetch(url, { method, headers: h, body, redirect: 'manual', signal });
    const text = await res.text();
    const ms = performance.now() - t0;
    const setCookies = res.headers.getSetCookie();
    this.store(url, setCookies);
    const loc = res.headers.get('location');
    return { status: res.status, headers: res.headers, location: loc == null ? null : new URL(loc, url).href, rawLocation: loc, text, setCookies, url, ms };
  }
}

const csp = (headers) => Object.fromEntries((headers.get('content-security-policy') ?? '').split(';')
  .map((d) => d.trim()).filter(Boolean).map((d) => { const [k, ...v] = d.split(/\s+/); return [k.toLowerCase(), v]; }));

describe('gatehouse refuses bad sign-ins', { skip }, () => {
  let idp; let thinIdp; let evil; let gh; let base; let browser;
  let evilRequests = [];
  const CLIENTS = {
    demo: { client_id: 'gatehouse-e2e', client_secret: 'e2e-secret-0123456789', admin: 'ADMIN@demo.test' },
    gone: { client_id: 'gatehouse-e2e-gone', client_secret: 'gone-secret-0123456789', admin: 'admin@demo.test' },
    unverified: { client_id: 'gatehouse-e2e-unv', client_secret: 'unv-secret-0123456789', admin: 'boss@demo.test' },
    'unverified-str': { client_id: 'gatehouse-e2e-unv2', client_secret: 'unv2-secret-0123456789', admin: 'admin@demo.test' },
  };
  const THIN = { team: 'thin', client_id: 'gatehouse-e2e-thin', client_secret: 'thin-secret-0123456789', admin: 'admin@demo.test' };

  const idpClient = (c, team) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: [`${base}/sso/callback`],
    post_logout_redirect_uris: [`${base}/login`],
    initiate_login_uri: `${base}/sso/${team}/initiate`,
  });

  async function addTeam(team, issuer, c) {
    const add = await gh.cli(['team', 'add', '--team-id', team, '--issuer', issuer, '--client-id', c.client_id,
      '--client-secret-stdin', '--admin-email', c.admin, '--name', `Team ${team}`], { stdin: `${c.client_secret}\n` });
    assert.equal(add.code, 0, add.stderr);
  }

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    idp = await startIdp({ clients: Object.entries(CLIENTS).map(([team, c]) => idpClient(c, team)) });
    thinIdp = await startIdp({ thinIdToken: true, clients: [idpClient(THIN, THIN.team)] });
    // An issuer nobody registered: initiate must never contact it (SSRF, mix-up).
    evil = createServer((req, res) => { evilRequests.push(`${req.method} ${req.url}`); res.writeHead(404).end(); });
    await new Promise((r) => evil.listen(0, '127.0.0.1', r));
    gh = await startGatehouse({
      env: {
        GATEHOUSE_LISTEN: `127.0.0.1:${port}`,
        GATEHOUSE_PUBLIC_URL: base,
        GATEHOUSE_IDP_TIMEOUT_MS: String(IDP_TIMEOUT_MS),
        // This file makes ~40 failed callbacks from one address on purpose; the
        // limiter has its own tests, and must not couple these to each other.
        GATEHOUSE_RATE_LIMITS: 'off',
      },
    });
    for (const [team, c] of Object.entries(CLIENTS)) await addTeam(team, idp.issuer, c);
    await addTeam(THIN.team, thinIdp.issuer, THIN);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await gh?.stop();
    await idp?.stop();
    await thinIdp?.stop();
    await new Promise((r) => (evil ? evil.close(r) : r()));
  });

  // ------------------------------------------------------------ helpers

  /** POST /login_sso; returns the response (302 to the IdP on success). */
  const startSignIn = (jar, team = 'demo') => jar.fetch(`${base}/login_sso`, { method: 'POST', form: { team_id: team } });

  /**
   * Follows the IdP from `url` (its authorize URL) with `jar`, filling its login
   * form when shown, until the IdP redirects back to gatehouse; returns that
   * callback URL without delivering it.
   */
  async function throughIdp(jar, url, user) {
    for (let hops = 0; hops < 20; hops++) {
      if (url.startsWith(`${base}/`)) return url;
      const r = await jar.fetch(url);
      if (r.status >= 300 && r.status < 400) { url = r.location; continue; }
      const action = /<form[^>]*method="post"[^>]*action="([^"]+)"/i.exec(r.text);
      if (r.status === 200 && action && /name="password"/.test(r.text)) {
        const post = await jar.fetch(new URL(action[1].replace(/&amp;/g, '&'), url).href, {
          method: 'POST', form: { username: user.email, password: user.password },
        });
        assert.ok(post.status >= 300 && post.status < 400, `IdP refused ${user.email}: ${post.status} ${post.text.slice(0, 300)}`);
        url = post.location;
        continue;
      }
      throw new Error(`unexpected IdP answer at ${url}: ${r.status} ${r.text.slice(0, 300)}`);
    }
    throw new Error('too many redirects at the IdP');
  }

  /** Starts a sign-in for `team` in `jar` and logs in at the IdP; returns the callback URL. */
  async function callbackUrlFor(jar, user = MEMBER, team = 'demo') {
    const s = await startSignIn(jar, team);
    assert.equal(s.status, 302, `POST /login_sso ${team}: ${s.status} ${s.text.slice(0, 300)}`);
    return throughIdp(jar, s.location, user);
  }

  /** A full sign-in; returns the callback response (303 on success). */
  async function signIn(jar, user = MEMBER, team = 'demo') {
    return jar.fetch(await callbackUrlFor(jar, user, team));
  }

  const me = (jar) => jar.fetch(`${base}/api/v1/me`);

  async function assertSignedIn(r, jar, { to = '/dashboard', email } = {}) {
    assert.equal(r.status, 303, `callback: ${r.status} ${r.text.slice(0, 400)}`);
    assert.equal(r.location, `${base}${to}`);
    assert.ok(r.setCookies.some((c) => SESSION_SET.test(c)), 'a session cookie is set');
    const m = await me(jar);
    assert.equal(m.status, 200);
    const body = JSON.parse(m.text);
    if (email) assert.equal(body.user.email, email);
    return body;
  }

  /** Renders a captured gatehouse response in chromium (on gatehouse's origin, so its CSS loads) and saves it. */
  async function shot(name, r) {
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      await page.route(`${base}/__screenshot__`, (route) => route.fulfill({
        status: r.status, body: r.text,
        headers: { 'content-type': r.headers.get('content-type') ?? 'text/html', 'content-security-policy': r.headers.get('content-security-policy') ?? '' },
      }));
      await page.goto(`${base}/__screenshot__`);
      await screenshot(page, name);
    } finally { await ctx.close(); }
  }

  /**
   * The common shape of every refusal: the status, an HTML error page with a
   * reference id (also on the log line), no session cookie, and /api/v1/me 401
   * for this browser afterwards.
   */
  async function assertRefused(r, status, jar, { shotName, mentions } = {}) {
    assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text.slice(0, 400)}`);
    assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
    const ref = REFERENCE.exec(r.text);
    assert.ok(ref, `an error page with a reference id: ${r.text.slice(0, 400)}`);
    assert.doesNotMatch(r.text, /std::|exception|at .*\.cpp|stack trace/i, 'no stack trace or internals');
    if (mentions) assert.match(r.text, mentions);
    assert.equal(r.setCookies.filter((c) => SESSION_SET.test(c)).length, 0, `no session cookie: ${r.setCookies}`);
    assert.equal(r.location, null, 'an error page, not a redirect');
    if (jar) assert.equal((await me(jar)).status, 401, '/api/v1/me is 401 afterwards');
    // The reference ties the page to the operator's log line.
    let seen = false;
    for (let i = 0; i < 20 && !seen; i++) {
      seen = gh.logs().includes(`request_id=${ref[1]}`);
      if (!seen) await new Promise((res) => setTimeout(res, 50));
    }
    assert.ok(seen, `the log has a line with request_id=${ref[1]}`);
    if (shotName) await shot(shotName, r);
    return ref[1];
  }

  const withMode = async (target, modes, fn) => {
    await target.setMode(modes);
    try { return await fn(); } finally { await target.reset(); }
  };

  // ------------------------------------------------------------ state / binding

  test('state mismatch (login CSRF): a callback with a state never issued is 400', async () => {
    const jar = new Jar('victim');
    const s = await startSignIn(jar); // the victim even has a real attempt (and gh_login) going
    assert.equal(s.status, 302);
    const forged = randomBytes(32).toString('base64url');
    const before = await idp.counts();
    const r = await jar.fetch(`${base}/sso/callback?code=attacker-code&state=${forged}&iss=${encodeURIComponent(idp.issuer)}`);
    await assertRefused(r, 400, jar, { shotName: 'err-400-state-mismatch' });
    // No state at all is the same refusal.
    await assertRefused(await jar.fetch(`${base}/sso/callback?code=attacker-code&iss=${encodeURIComponent(idp.issuer)}`), 400, jar);
    assert.equal((await idp.counts()).token, before.token, 'a forged callback costs no token request');
    // The victim's own attempt is untouched by the forgery and still completes.
    await assertSignedIn(await jar.fetch(await throughIdp(jar, s.location, MEMBER)), jar, { email: MEMBER.email });
  });

  test('replayed callback: the same callback URL a second time is 400 and makes no session', async () => {
    const jar = new Jar('user');
    const cb = await callbackUrlFor(jar, MEMBER);
    const first = await jar.fetch(cb);
    const m = await assertSignedIn(first, jar, { email: MEMBER.email });
    // Sign out, so any session after the replay could only come from the replay.
    const out = await jar.fetch(`${base}/logout`, { method: 'POST', form: { csrf_token: m.csrf_token } });
    assert.equal(out.status, 303);
    assert.equal((await me(jar)).status, 401);
    assert.ok(jar.get('127.0.0.1', 'gh_login'), 'the browser still has its gh_login cookie');
    const replay = await jar.fetch(cb);
    await assertRefused(replay, 400, jar, { shotName: 'err-400-replayed-callback' });
  });

  test('callback in another browser: 400 there, and the attempt is consumed for the first browser too', async () => {
    const a = new Jar('A');
    const b = new Jar('B');
    const cb = await callbackUrlFor(a, MEMBER);
    const inB = await b.fetch(cb);
    assert.equal(b.get('127.0.0.1', 'gh_login'), undefined);
    await assertRefused(inB, 400, b, { shotName: 'err-400-other-browser' });
    const inA = await a.fetch(cb);
    await assertRefused(inA, 400, a);
  });

  test('authorization code injection: the attacker\'s code with the victim\'s state signs nobody in (PKCE)', async () => {
    const attacker = new Jar('attacker');
    const cbA = new URL(await callbackUrlFor(attacker, ADMIN));
    const victim = new Jar('victim');
    const cbV = new URL(await callbackUrlFor(victim, MEMBER));
    const injected = new URL(cbV);
    injected.searchParams.set('code', cbA.searchParams.get('code'));
    const before = await idp.counts();
    const r = await victim.fetch(injected.href);
    // The IdP answers invalid_grant: gatehouse counts that with the 400s (the
    // response does not belong to this attempt), not as provider misbehaviour.
    await assertRefused(r, 400, victim, { shotName: 'err-400-code-injection' });
    assert.equal((await idp.counts()).token, before.token + 1, 'the IdP was asked, and refused the code (PKCE verifier)');
    // The victim's attempt is spent with it; the attacker's own code is unaffected by the attempt.
    await assertRefused(await victim.fetch(cbV.href), 400, victim);
  });

  test('provider error=access_denied: 403, no session', async () => {
    const jar = new Jar('refused');
    const s = await startSignIn(jar);
    assert.equal(s.status, 302);
    const state = new URL(s.location).searchParams.get('state');
    assert.ok(state && state.length >= 22, 'a state of at least 128 bits');
    const q = new URLSearchParams({ error: 'access_denied', error_description: 'User is not assigned to the client application.', state, iss: idp.issuer });
    const r = await jar.fetch(`${base}/sso/callback?${q}`);
    await assertRefused(r, 403, jar, { shotName: 'err-403-access-denied', mentions: /administrator/i });
  });

  test('mix-up: iss of another (registered) issuer on the callback is 400 (RFC 9207)', async () => {
    const jar = new Jar('mixup');
    const cb = new URL(await callbackUrlFor(jar, MEMBER));
    assert.equal(cb.searchParams.get('iss'), idp.issuer, 'the IdP sends iss');
    cb.searchParams.set('iss', thinIdp.issuer);
    const before = [await idp.counts(), await thinIdp.counts()];
    await assertRefused(await jar.fetch(cb.href), 400, jar, { shotName: 'err-400-mixup-iss' });
    const after = [await idp.counts(), await thinIdp.counts()];
    assert.equal(after[0].token, before[0].token, 'the code is not redeemed at the real issuer');
    assert.equal(after[1].token, before[1].token, 'nor at the issuer the iss names');
    // An iss of an unregistered issuer too (a fresh attempt; the first is consumed).
    const cb2 = new URL(await callbackUrlFor(jar, MEMBER));
    cb2.searchParams.set('iss', `http://127.0.0.1:${evil.address().port}`);
    await assertRefused(await jar.fetch(cb2.href), 400, jar);
    // The provider advertises iss support, so a callback without iss is refused as well.
    const cb3 = new URL(await callbackUrlFor(jar, MEMBER));
    cb3.searchParams.delete('iss');
    await assertRefused(await jar.fetch(cb3.href), 400, jar);
    assert.deepEqual(evilRequests, []);
  });

  // ------------------------------------------------------------ initiate (OIDC Core §4)

  test('wrong iss at initiate: 400; missing iss: 400; unknown team: 404; an unregistered issuer is never contacted', async () => {
    evilRequests = [];
    const jar = new Jar('initiate');
    const evilIss = `http://127.0.0.1:${evil.address().port}`;
    const get = (team, params) => jar.fetch(`${base}/sso/${team}/initiate?${new URLSearchParams(params)}`);

    await assertRefused(await get('demo', { iss: evilIss }), 400, jar, { shotName: 'err-400-initiate-wrong-iss' });
    await assertRefused(await jar.fetch(`${base}/sso/demo/initiate`, { method: 'POST', form: { iss: evilIss } }), 400, jar);
    await assertRefused(await get('demo', { iss: thinIdp.issuer }), 400, jar); // registered, but for another team
    await assertRefused(await get('demo', { iss: `${idp.issuer}/` }), 400, jar); // exact match only
    await assertRefused(await get('demo', {}), 400, jar, { shotName: 'err-400-initiate-missing-iss' });
    await assertRefused(await get('demo', { iss: '' }), 400, jar);
    await assertRefused(await get('no-such-team', { iss: evilIss }), 404, jar, { shotName: 'err-404-initiate-unknown-team' });
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(evilRequests, [], 'the evil issuer got no request');
    assert.equal(jar.get('127.0.0.1', 'gh_login'), undefined, 'no attempt was started');
    // Positive control: the registered issuer starts a sign-in.
    const ok = await get('demo', { iss: idp.issuer, login_hint: MEMBER.email });
    assert.equal(ok.status, 302);
    assert.ok(ok.location.startsWith(`${idp.issuer}/oauth2/v1/authorize?`));
    assert.equal(new URL(ok.location).searchParams.get('login_hint'), MEMBER.email);
  });

  test('open redirect via target_link_uri: foreign targets land on /dashboard, same-origin ones are kept', async () => {
    const gport = new URL(base).port;
    const cases = [
      ['//evil.example/x', '/dashboard'],
      ['/\\evil.example', '/dashboard'],
      ['https://evil.example/', '/dashboard'],
      ['javascript:alert(1)', '/dashboard'],
      ['/%2F%2Fevil.example', '/dashboard'],
      [`http://127.0.0.1:${gport}.evil.example/`, '/dashboard'],
      // A few more spellings browsers read as another host.
      [`http://127.0.0.1:${gport}@evil.example/`, '/dashboard'],
      ['/%5Cevil.example', '/dashboard'],
      ['/\t/evil.example', '/dashboard'],
      ['///evil.example', '/dashboard'],
      [`https://127.0.0.1:${gport}/tokens`, '/dashboard'], // another origin: scheme differs
      ['/tokens', '/tokens'],
      [`${base}/tokens`, '/tokens'],
    ];
    const ctx = await browser.newContext();
    const elsewhere = [];
    const dialogs = [];
    // Any request that leaves 127.0.0.1 is recorded and stopped.
    await ctx.route((u) => u.hostname !== '127.0.0.1', (route) => { elsewhere.push(route.request().url()); return route.abort(); });
    try {
      const page = await ctx.newPage();
      page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
      let loggedIn = false;
      for (const [target, expected] of cases) {
        const q = new URLSearchParams({ iss: idp.issuer, target_link_uri: target });
        const cbResp = page.waitForResponse((r) => r.url().startsWith(`${base}/sso/callback`), { timeout: 30000 });
        await page.goto(`${base}/sso/demo/initiate?${q}`);
        if (!loggedIn) {
          const { error } = await loginAtIdp(page, MEMBER.email, MEMBER.password);
          assert.equal(error, null);
          loggedIn = true;
        }
        const r = await cbResp;
        assert.equal(r.status(), 303, `${target}: callback ${r.status()}`);
        const loc = new URL(r.headers().location, base);
        assert.equal(loc.href, `${base}${expected}`, `${target} → ${loc.href}`);
        await page.waitForLoadState();
        assert.equal(page.url(), `${base}${expected}`, `${target}: the browser is on ${page.url()}`);
      }
      assert.deepEqual(elsewhere, [], 'the browser never went elsewhere');
      assert.deepEqual(dialogs, [], 'no script ran');
    } finally { await ctx.close(); }
  });

  // ------------------------------------------------------------ provider faults

  test('provider never answers: 504 within ~2.5 s, and /healthz stays fast meanwhile', async () => {
    const jar = new Jar('hang');
    const cb = await callbackUrlFor(jar, MEMBER); // the login is fine; only the token endpoint hangs
    await withMode(idp, { token: 'hang' }, async () => {
      const t0 = performance.now();
      let cbDoneAt = null;
      const pending = jar.fetch(cb).then((r) => { cbDoneAt = performance.now(); return r; });
      await new Promise((r) => setTimeout(r, 200));
      const health = [];
      for (let i = 0; i < 20; i++) {
        const h0 = performance.now();
        const h = await fetch(`${base}/healthz`);
        await h.arrayBuffer();
        health.push({ status: h.status, ms: performance.now() - h0, during: cbDoneAt === null });
        await new Promise((r) => setTimeout(r, 40));
      }
      const r = await pending;
      const elapsed = cbDoneAt - t0;
      assert.ok(health.every((h) => h.during), 'all /healthz answers came while the callback hung');
      assert.deepEqual(health.filter((h) => h.status !== 200 || h.ms >= 200), [], `slow or failed /healthz: ${JSON.stringify(health)}`);
      assert.ok(elapsed >= IDP_TIMEOUT_MS - 200, `the callback waited for the timeout (${elapsed.toFixed(0)} ms)`);
      assert.ok(elapsed < IDP_TIMEOUT_MS + 500, `504 within ~2.5 s (took ${elapsed.toFixed(0)} ms)`);
      await assertRefused(r, 504, jar, { shotName: 'err-504-provider-timeout', mentions: /did not answer in time/i });
    });
  });

  // Regression: provider calls once shared the general worker pool, so 40 hung
  // callbacks of one team slowed every page of every team.
  test('slow provider starving other teams: 40 hung callbacks of one team do not hold up another team or signed-in pages', async () => {
    const other = new Jar('other-team-user');
    await assertSignedIn(await signIn(other, MEMBER, THIN.team), other);
    // 40 attempts of team demo, each called back with a code: each callback then
    // waits on demo's hanging token endpoint (more of them than gatehouse has workers).
    const attacker = new Jar('flood');
    const states = [];
    for (let i = 0; i < 40; i++) {
      const s = await startSignIn(attacker);
      assert.equal(s.status, 302);
      states.push(new URL(s.location).searchParams.get('state'));
    }
    await withMode(idp, { token: 'hang' }, async () => {
      const hung = states.map((state) => attacker.fetch(
        `${base}/sso/callback?${new URLSearchParams({ code: 'c0de', state, iss: idp.issuer })}`));
      await new Promise((r) => setTimeout(r, 300));
      const timings = {};
      const time = async (name, fn) => { const t0 = performance.now(); const r = await fn(); timings[name] = { status: r.status, ms: Math.round(performance.now() - t0) }; };
      await Promise.all([
        time('GET /healthz', () => fetch(`${base}/healthz`)),
        time('GET /api/v1/me (team thin)', () => me(other)),
        time('GET /dashboard (team thin)', () => other.fetch(`${base}/dashboard`)),
        time('POST /login_sso thin', () => startSignIn(new Jar('t'), THIN.team)),
      ]);
      const results = await Promise.all(hung);
      assert.ok(results.every((r) => r.status === 504), `hung callbacks: ${results.map((r) => r.status)}`);
      assert.deepEqual(Object.entries(timings).filter(([, t]) => t.ms >= 500 || t.status >= 400), [],
        `other requests while 40 callbacks hung: ${JSON.stringify(timings)}`);
    });
  });

  for (const [mode, label] of [['500', 'answers 500'], ['html', 'answers HTML instead of JSON']]) {
    test(`provider ${label} on the token endpoint: 502`, async () => {
      const jar = new Jar(`token-${mode}`);
      const cb = await callbackUrlFor(jar, MEMBER);
      await withMode(idp, { token: mode }, async () => {
        await assertRefused(await jar.fetch(cb), 502, jar, { shotName: `err-502-token-${mode}` });
      });
    });
  }

  // ------------------------------------------------------------ ID token (OIDC Core §3.1.3.7)

  describe('ID token tampering: each altered ID token is 502 with no session', () => {
    // mode → the reason gatehouse must log (so each is refused for the right
    // reason: e.g. jku is a bad signature, not a failed fetch of the jku URL).
    const modes = {
      'bad-signature': 'id_token_invalid_signature',
      'alg-none': 'id_token_invalid_signature',
      hs256: 'id_token_invalid_signature',
      'unknown-kid': 'id_token_unknown_key',
      'foreign-key': 'id_token_invalid_signature',
      jku: 'id_token_invalid_signature',
      'wrong-iss': 'id_token_wrong_issuer',
      'wrong-aud': 'id_token_wrong_audience',
      'multi-aud-no-azp': 'id_token_azp_mismatch',
      expired: 'id_token_expired',
      'no-exp': 'id_token_missing_claim',
      'no-iat': 'id_token_missing_claim',
      'no-sub': 'id_token_missing_claim',
      'no-nonce': 'id_token_missing_claim',
      'wrong-nonce': 'nonce_mismatch',
    };
    for (const [mode, reason] of Object.entries(modes)) {
      test(`ID token tampering: ${mode} → 502`, async () => {
        const jar = new Jar(`idt-${mode}`);
        const cb = await callbackUrlFor(jar, ADMIN);
        await withMode(idp, { id_token: mode }, async () => {
          const ref = await assertRefused(await jar.fetch(cb), 502, jar, { shotName: mode === 'alg-none' ? 'err-502-id-token' : undefined });
          assert.match(gh.logs(), new RegExp(`request_id=${ref} sign-in failed: ${reason}\\b`));
        });
      });
    }
    // Positive controls: the tampering switch works, and valid variants pass.
    for (const mode of ['multi-aud-azp', 'expired-within-skew']) {
      test(`ID token variant ${mode} is valid and signs in`, async () => {
        const jar = new Jar(`idt-${mode}`);
        const cb = await callbackUrlFor(jar, MEMBER);
        await withMode(idp, { id_token: mode }, async () => {
          await assertSignedIn(await jar.fetch(cb), jar, { email: MEMBER.email });
        });
      });
    }
  });

  test('kid flooding: ID tokens with unknown kids refetch the JWKS at most once per 10 s', async () => {
    // A normal sign-in first, so the JWKS is cached (a first fetch does not count).
    const warm = new Jar('kid-warm');
    await assertSignedIn(await signIn(warm, MEMBER), warm);
    const before = await idp.counts();
    for (let i = 0; i < 4; i++) {
      const jar = new Jar(`kid-${i}`);
      const cb = await callbackUrlFor(jar, MEMBER);
      await withMode(idp, { id_token: 'unknown-kid' }, async () => {
        await assertRefused(await jar.fetch(cb), 502, jar);
      });
    }
    const after = await idp.counts();
    assert.ok(after.jwks - before.jwks <= 1, `JWKS fetched ${after.jwks - before.jwks} times for 4 unknown kids`);
  });

  test('thin ID token: the sign-in works with name and email from UserInfo; UserInfo for another sub is 502', async () => {
    const jar = new Jar('thin');
    const body = await assertSignedIn(await signIn(jar, MEMBER, THIN.team), jar);
    assert.equal(body.team.id, THIN.team);
    assert.equal(body.user.email, MEMBER.email);
    assert.equal(body.user.name, MEMBER.name);
    assert.equal(body.role, 'member');

    const jar2 = new Jar('thin-wrong-sub');
    const cb = await callbackUrlFor(jar2, ADMIN, THIN.team);
    await withMode(thinIdp, { userinfo: 'wrong-sub' }, async () => {
      await assertRefused(await jar2.fetch(cb), 502, jar2, { shotName: 'err-502-userinfo-wrong-sub' });
    });
    // email_verified from UserInfo counts: the verified admin becomes admin.
    const jar3 = new Jar('thin-admin');
    const admin = await assertSignedIn(await signIn(jar3, ADMIN, THIN.team), jar3, { email: ADMIN.email });
    assert.equal(admin.user.name, ADMIN.name);
    assert.equal(admin.role, 'admin');
  });

  test('provider never answers UserInfo (thin ID token): 504, no session', async () => {
    const jar = new Jar('thin-userinfo-hang');
    const cb = await callbackUrlFor(jar, MEMBER, THIN.team);
    await withMode(thinIdp, { userinfo: 'hang' }, async () => {
      const t0 = performance.now();
      const r = await jar.fetch(cb);
      assert.ok(performance.now() - t0 < IDP_TIMEOUT_MS + 500, 'within the IdP timeout');
      await assertRefused(r, 504, jar);
    });
  });

  // ------------------------------------------------------------ roles, team state, sessions

  test('unverified admin email is not admin: email_verified=false (or "false") signs in as member', async () => {
    await idp.addUser({ email: 'boss@demo.test', password: 'boss-password', name: 'Bo Boss', email_verified: false });
    const jar = new Jar('boss');
    const body = await assertSignedIn(await signIn(jar, { email: 'boss@demo.test', password: 'boss-password' }, 'unverified'), jar);
    assert.equal(body.user.email, 'boss@demo.test');
    assert.equal(body.role, 'member');

    // The string "false" counts as false too (team unverified-str's admin email is admin@demo.test).
    const jar2 = new Jar('admin-unverified-string');
    const cb = await callbackUrlFor(jar2, ADMIN, 'unverified-str');
    await withMode(idp, { id_token: 'email-unverified-string' }, async () => {
      const b2 = await assertSignedIn(await jar2.fetch(cb), jar2, { email: ADMIN.email });
      assert.equal(b2.role, 'member');
    });
  });

  test('disabled team: /login_sso and initiate give 404, a running session ends within a second, a pending attempt fails', async () => {
    const jar = new Jar('gone-admin');
    const admin = await assertSignedIn(await signIn(jar, ADMIN, 'gone'), jar, { email: ADMIN.email });
    assert.equal(admin.role, 'admin', 'positive control: the verified admin email is admin');
    const pendingJar = new Jar('gone-pending');
    const pendingCb = await callbackUrlFor(pendingJar, MEMBER, 'gone');

    const dis = await runCli(['team', 'disable', 'gone'], { env: gh.env, cwd: gh.dir });
    assert.equal(dis.code, 0, dis.stderr);
    const t0 = performance.now();
    let status;
    do {
      status = (await me(jar)).status;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 100));
    } while (performance.now() - t0 < 1000);
    assert.equal(status, 401, 'the session stops working within one second');
    assert.equal((await jar.fetch(`${base}/dashboard`)).status, 302);

    const form = await startSignIn(new Jar('gone-new'), 'gone');
    assert.equal(form.status, 404);
    assert.match(form.text, /name="team_id"/);
    await shot('err-404-login-sso-disabled-team', form);
    await assertRefused(await new Jar('x').fetch(`${base}/sso/gone/initiate?iss=${encodeURIComponent(idp.issuer)}`), 404, null);
    // An attempt started before the switch-off cannot finish after it.
    const late = await pendingJar.fetch(pendingCb);
    assert.ok(late.status >= 400 && late.status < 500, `pending attempt: ${late.status}`);
    await assertRefused(late, late.status, pendingJar, { shotName: 'err-disabled-team-callback' });
  });

  test('session fixation: a planted session id is replaced at sign-in; logout needs the CSRF token', async () => {
    // A syntactically valid id nobody issued, and an attacker's real session.
    const bogus = randomBytes(32).toString('base64url');
    const attacker = new Jar('attacker');
    await assertSignedIn(await signIn(attacker, MEMBER), attacker);
    const attackerId = attacker.get('127.0.0.1', 'gh_session');

    for (const planted of [bogus, attackerId]) {
      const victim = new Jar('victim');
      victim.set('127.0.0.1', 'gh_session', planted);
      const body = await assertSignedIn(await signIn(victim, ADMIN), victim, { email: ADMIN.email });
      const now = victim.get('127.0.0.1', 'gh_session');
      assert.ok(now && now !== planted, 'the session cookie value changed at sign-in');
      // Whoever holds the planted value is not the victim.
      const old = new Jar('old');
      old.set('127.0.0.1', 'gh_session', planted);
      const o = await me(old);
      if (o.status === 200) assert.notEqual(JSON.parse(o.text).user.email, ADMIN.email);

      // A cross-site GET cannot sign anyone out.
      const get = await victim.fetch(`${base}/logout`);
      assert.notEqual(get.status, 303);
      assert.equal((await me(victim)).status, 200, 'GET /logout ends nothing');
      // Logout without (or with a wrong) csrf_token: 403, the session survives.
      const noCsrf = await victim.fetch(`${base}/logout`, { method: 'POST', form: {} });
      assert.equal(noCsrf.status, 403);
      assert.match(noCsrf.headers.get('content-type') ?? '', /^text\/html/);
      if (planted === bogus) await shot('err-403-logout-without-csrf', noCsrf);
      const wrong = await victim.fetch(`${base}/logout`, { method: 'POST', form: { csrf_token: 'x'.repeat(43) } });
      assert.equal(wrong.status, 403);
      assert.equal((await me(victim)).status, 200, 'the session still works');
      // With it: 303, cleared cookie, and the id is dead server-side too.
      const out = await victim.fetch(`${base}/logout`, { method: 'POST', form: { csrf_token: body.csrf_token } });
      assert.equal(out.status, 303);
      assert.ok(out.setCookies.some((c) => /^gh_session=;/.test(c) || /^gh_session=[^;]*;.*max-age=0/i.test(c)), `cleared: ${out.setCookies}`);
      assert.equal((await me(victim)).status, 401);
      const replay = new Jar('stolen');
      replay.set('127.0.0.1', 'gh_session', now);
      assert.equal((await me(replay)).status, 401, 'the old id no longer works anywhere');
    }
  });

  test('callback flooding (state guessing): failed callbacks over the limit get 429 with Retry-After', async () => {
    // Its own gatehouse with the default GATEHOUSE_RATE_LIMITS=on: per client
    // address, failed callbacks burst 60 then 1/s (SPEC.md §2).
    const limited = await startGatehouse();
    try {
      const statuses = [];
      let retryAfter = null;
      for (let i = 0; i < 70; i++) {
        const r = await fetch(`${limited.url}/sso/callback?code=x&state=${randomBytes(32).toString('base64url')}`, { redirect: 'manual' });
        await r.arrayBuffer();
        statuses.push(r.status);
        if (r.status === 429) { retryAfter = r.headers.get('retry-after'); break; }
      }
      assert.ok(statuses.slice(0, 60).every((x) => x === 400), `the first 60 are plain 400s: ${statuses}`);
      assert.equal(statuses.at(-1), 429, `a 429 after the burst of 60: ${statuses.length} requests, last ${statuses.at(-1)}`);
      assert.match(retryAfter ?? '', /^\d+$/, 'Retry-After in seconds');
    } finally { await limited.stop(); }
  });

  test('security headers: CSP without form-action or inline script, frame-ancestors none, nosniff, no-referrer — on every page and the callback', async () => {
    const jar = new Jar('headers');
    const pages = {};
    pages['GET /login'] = await jar.fetch(`${base}/login`);
    pages['GET /login_sso'] = await jar.fetch(`${base}/login_sso`);
    pages['POST /login_sso unknown team'] = await jar.fetch(`${base}/login_sso`, { method: 'POST', form: { team_id: 'nope' } });
    pages['GET /sso/callback bad state'] = await jar.fetch(`${base}/sso/callback?state=nope&code=x`);
    pages['GET /sso/demo/initiate no iss'] = await jar.fetch(`${base}/sso/demo/initiate`);
    const xss = '"><script>alert(1)</script>';
    pages['POST /login_sso script as Team ID'] = await jar.fetch(`${base}/login_sso`, { method: 'POST', form: { team_id: xss } });
    assert.ok(!pages['POST /login_sso script as Team ID'].text.includes('<script>alert(1)'), 'what was typed is escaped');
    const start = await startSignIn(jar);
    const loginCookie = start.setCookies.find((c) => c.startsWith('gh_login='));
    assert.ok(loginCookie, 'the attempt is bound to the browser by gh_login');
    assert.match(loginCookie, /;\s*HttpOnly/i);
    assert.match(loginCookie, /;\s*SameSite=Lax/i);
    assert.match(loginCookie, /;\s*Path=\//i);
    assert.doesNotMatch(loginCookie, /;\s*Secure/i, 'no Secure on an http public URL');
    const cb = await jar.fetch(await throughIdp(jar, start.location, MEMBER));
    assert.equal(cb.status, 303);
    const sessionCookie = cb.setCookies.find((c) => SESSION_SET.test(c));
    assert.match(sessionCookie, /^gh_session=/);
    assert.match(sessionCookie, /;\s*HttpOnly/i);
    assert.match(sessionCookie, /;\s*SameSite=Lax/i);
    assert.match(sessionCookie, /;\s*Path=\//i);
    pages['GET /dashboard'] = await jar.fetch(`${base}/dashboard`);
    const m = JSON.parse((await me(jar)).text);
    pages['POST /logout without csrf'] = await jar.fetch(`${base}/logout`, { method: 'POST', form: {} });

    for (const [name, r] of Object.entries(pages)) {
      assert.match(r.headers.get('content-type') ?? '', /^text\/html/, `${name} is HTML`);
      const p = csp(r.headers);
      assert.ok(Object.keys(p).length, `${name}: has a CSP`);
      assert.equal(p['form-action'], undefined, `${name}: no form-action (it would block the redirect to the IdP)`);
      const scripts = p['script-src'] ?? p['default-src'] ?? [];
      assert.ok(!scripts.includes("'unsafe-inline'"), `${name}: no unsafe-inline script`);
      assert.deepEqual(p['frame-ancestors'], ["'none'"], `${name}: frame-ancestors 'none'`);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `${name}: nosniff`);
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer', `${name}: no-referrer`);
    }
    // The successful callback is a bare 303, but its URL carries the code: it
    // must not leak as a Referer nor be cached.
    assert.equal(cb.headers.get('x-content-type-options'), 'nosniff', 'callback: nosniff');
    assert.equal(cb.headers.get('referrer-policy'), 'no-referrer', 'callback: no-referrer');
    assert.match(cb.headers.get('cache-control') ?? '', /no-store/, 'callback: no-store');
    const cbCsp = csp(cb.headers);
    if (Object.keys(cbCsp).length) {
      assert.equal(cbCsp['form-action'], undefined);
      assert.deepEqual(cbCsp['frame-ancestors'], ["'none'"]);
    }
    await jar.fetch(`${base}/logout`, { method: 'POST', form: { csrf_token: m.csrf_token } });
  });
});
