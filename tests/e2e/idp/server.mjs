#!/usr/bin/env node
// A real OpenID Provider (oidc-provider) configured like an Okta org, for
// gatehouse's end-to-end tests and demos. See ../README.md for the options.
//
//   node idp/server.mjs --config idp/demo.json
//   node idp/server.mjs --port 0 --client-id app --client-secret s \
//        --redirect-uri http://127.0.0.1:8080/sso/callback \
//        --user alice@example.test:pw:"Alice Example" --test-controls
//
// Prints exactly one line `idp listening on http://127.0.0.1:PORT` to stdout
// when ready (everything else goes to stderr). Stops cleanly on SIGTERM/SIGINT.

import { createServer, request as httpRequest } from 'node:http';
import { randomBytes, createHash, createHmac, createPrivateKey, generateKeyPair, sign as rsaSign } from 'node:crypto';
import { generateJwks } from '../lib/jwks.mjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

// stdout carries only the ready line: oidc-provider's notices go to stderr.
// Two expected warnings are muted: "Unsupported runtime" (oidc-provider 9 asks
// for Node 22 but every API it uses exists in Node >= 20.18) and the in-memory
// adapter one (state living in this process only is exactly what tests want).
const MUTED = ['Unsupported runtime', 'in-memory adapter'];
const origWarn = console.warn;
console.warn = (...a) => { if (!MUTED.some((m) => String(a[0]).includes(m))) origWarn(...a); };
console.info = (...a) => console.error(...a);
const { default: Provider, errors } = await import('oidc-provider');

// ---------------------------------------------------------------- options
function parseCli(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      'issuer-path': { type: 'string' },
      'issuer-host': { type: 'string' },
      'thin-id-token': { type: 'boolean' },
      'test-controls': { type: 'boolean' },
      jwks: { type: 'string' },
      'generate-jwks': { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      'initiate-login-uri': { type: 'string' },
      'target-link-uri': { type: 'string' },
      'token-endpoint-auth-method': { type: 'string' },
      user: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return values;
}

const USAGE = `usage: node idp/server.mjs [--config FILE] [--port N] [--issuer-path /oauth2/default]
       [--issuer-host 127.0.0.1|localhost] [--thin-id-token] [--test-controls] [--jwks FILE]
       [--client-id ID --client-secret S --redirect-uri URI... [--post-logout-redirect-uri URI...]
        [--initiate-login-uri URI] [--target-link-uri URI] [--token-endpoint-auth-method M]]
       [--user EMAIL:PASSWORD[:NAME]...]
       node idp/server.mjs --generate-jwks FILE     (write a private RS256 JWKS and exit)`;

/** Merges a JSON config file with CLI flags (flags win). */
export function loadConfig(argv) {
  const cli = parseCli(argv);
  if (cli.help) { process.stdout.write(`${USAGE}\n`); process.exit(0); }
  const file = cli.config ? JSON.parse(readFileSync(cli.config, 'utf8')) : {};
  const cfg = {
    port: Number(cli.port ?? file.port ?? 0),
    issuerPath: (cli['issuer-path'] ?? file.issuerPath ?? '').replace(/\/+$/, ''),
    issuerHost: cli['issuer-host'] ?? file.issuerHost ?? '127.0.0.1',
    thinIdToken: Boolean(cli['thin-id-token'] ?? file.thinIdToken ?? false),
    testControls: Boolean(cli['test-controls'] ?? file.testControls ?? false),
    jwks: file.jwks,
    clients: [...(file.clients ?? [])],
    users: [...(file.users ?? [])],
  };
  if (cfg.issuerPath && !cfg.issuerPath.startsWith('/')) cfg.issuerPath = `/${cfg.issuerPath}`;
  const jwksFile = cli.jwks ?? file.jwksFile;
  if (jwksFile) cfg.jwks = JSON.parse(readFileSync(jwksFile, 'utf8'));
  if (cli['client-id']) {
    cfg.clients.push({
      client_id: cli['client-id'],
      client_secret: cli['client-secret'],
      redirect_uris: cli['redirect-uri'] ?? [],
      post_logout_redirect_uris: cli['post-logout-redirect-uri'] ?? [],
      initiate_login_uri: cli['initiate-login-uri'],
      target_link_uri: cli['target-link-uri'],
      token_endpoint_auth_method: cli['token-endpoint-auth-method'],
    });
  }
  for (const u of cli.user ?? []) {
    const [email, password, ...name] = u.split(':');
    cfg.users.push({ email, password, name: name.join(':') || email.split('@')[0] });
  }
  for (const u of cfg.users) {
    u.sub ??= `00u${createHash('sha256').update(u.email.toLowerCase()).digest('hex').slice(0, 17)}`;
    u.email_verified ??= true;
  }
  return cfg;
}

// ---------------------------------------------------------------- HTML
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f4f4;margin:0}
main{max-width:360px;margin:60px auto;background:#fff;border:1px solid #ddd;border-radius:6px;padding:24px 32px}
h1{font-size:1.4em;text-align:center}label{display:block;margin-top:14px;font-weight:600}
input{width:100%;box-sizing:border-box;padding:8px;margin-top:4px;font-size:1em}
button{width:100%;margin-top:20px;padding:10px;font-size:1em;background:#1662dd;color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{background:#fbe9e9;border:1px solid #d93934;color:#a12622;padding:8px;margin-top:12px;border-radius:4px}
.muted{color:#666;font-size:.85em;text-align:center}`;

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

function loginPage({ action, clientName, email = '', error }) {
  return page('Sign In', `<h1>Sign In</h1>
<p class="muted">to continue to ${esc(clientName)}</p>
${error ? `<div class="error" role="alert">${esc(error)}</div>` : ''}
<form method="post" action="${esc(action)}" autocomplete="off">
<label for="username">Username</label>
<input id="username" name="username" type="text" value="${esc(email)}" autofocus required>
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button type="submit">Sign in</button>
</form>
<p class="muted">Demo identity provider (oidc-provider, Okta-like)</p>`);
}

// ---------------------------------------------------------------- provider
export async function createIdp(cfg) {
  const users = new Map(cfg.users.map((u) => [u.email.toLowerCase(), u]));
  const bySub = new Map(cfg.users.map((u) => [u.sub, u]));
  const extras = new Map(); // client_id -> { initiate_login_uri, target_link_uri }
  const clients = cfg.clients.map((c) => {
    extras.set(c.client_id, { initiate_login_uri: c.initiate_login_uri, target_link_uri: c.target_link_uri });
    return {
      client_id: c.client_id,
      client_secret: c.client_secret,
      client_name: c.client_name ?? c.client_id,
      redirect_uris: c.redirect_uris,
      post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
      token_endpoint_auth_method: c.token_endpoint_auth_method ?? 'client_secret_basic',
      response_types: ['code'],
      grant_types: ['authorization_code'],
    };
  });
  let jwks = cfg.jwks ?? generateJwks(1);
  const DEFAULT_MODES = { token: 'normal', userinfo: 'normal', jwks: 'normal', id_token: 'normal', drip_ms: 200, delay_ms: 3000 };
  const modes = { ...DEFAULT_MODES };
  const bypass = randomBytes(16).toString('hex'); // lets the fault proxy reach the real endpoint
  // Requests from relying parties per endpoint (the fault proxy's own calls not
  // counted), so tests can prove an RP did NOT call the provider.
  const counts = { discovery: 0, authorization: 0, token: 0, userinfo: 0, jwks: 0, end_session: 0 };

  // Okta org authorization server paths: https://acme.okta.com/oauth2/v1/...;
  // a custom one (issuer https://acme.okta.com/oauth2/default) uses <issuer>/v1/...
  const v1 = cfg.issuerPath ? '/v1' : '/oauth2/v1';
  const routes = {
    authorization: `${v1}/authorize`,
    token: `${v1}/token`,
    userinfo: `${v1}/userinfo`,
    jwks: `${v1}/keys`,
    end_session: `${v1}/logout`,
    pushed_authorization_request: `${v1}/par`,
  };

  const configuration = {
    clients,
    cookies: { keys: [randomBytes(32).toString('hex')] },
    responseTypes: ['code'],
    scopes: ['openid', 'email', 'profile'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username', 'given_name', 'family_name', 'locale', 'zoneinfo', 'updated_at'],
    },
    conformIdTokenClaims: false, // scope claims go into the ID token (Okta custom servers) ...
    pkce: { required: () => true }, // S256 is the only method oidc-provider 9 offers
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    routes,
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // Okta ends the session without asking when the RP sends id_token_hint:
        // auto-submit the confirmation form with logout=yes.
        logoutSource: async (ctx, form) => {
          ctx.body = page('Signing out', `<h1>Signing out…</h1>${form.replace('</form>',
            '<input type="hidden" name="logout" value="yes"/><noscript><button type="submit">Sign out</button></noscript></form>')}
<script>document.getElementById('op.logoutForm').submit()</script>`);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Signed out', '<h1>Signed out</h1><p class="muted">You have been signed out.</p>');
        },
      },
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
      resourceIndicators: { enabled: false },
    },
    interactions: { url: (ctx, interaction) => `${cfg.issuerPath}/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const u = bySub.get(sub);
      if (!u) return undefined;
      return {
        accountId: sub,
        async claims(use) {
          // ... unless --thin-id-token: then the ID token carries only sub, like
          // Okta's org server, and the RP must ask UserInfo.
          if (use === 'id_token' && cfg.thinIdToken) return { sub };
          const parts = String(u.name ?? '').split(' ');
          return {
            sub,
            email: u.email,
            email_verified: u.email_verified,
            name: u.name,
            preferred_username: u.email,
            given_name: u.given_name ?? parts[0],
            family_name: u.family_name ?? (parts.slice(1).join(' ') || undefined),
            locale: 'en_US',
            zoneinfo: 'America/Los_Angeles',
            updated_at: 1700000000,
          };
        },
      };
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Error', `<h1>Something went wrong</h1>${Object.entries(out)
        .map(([k, v]) => `<p><strong>${esc(k)}</strong>: ${esc(v)}</p>`).join('')}`);
    },
    clientBasedCORS: () => true,
    ttl: { Session: 8 * 3600, Grant: 8 * 3600, Interaction: 600, AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600 },
  };

  const issuerOrigin = `http://${cfg.issuerHost}`; // port filled in by listen()
  const state = { issuer: undefined, provider: undefined };

  async function handleInteraction(req, res, uid, sub) {
    const provider = state.provider;
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch (err) {
      return send(res, 400, 'text/html', page('Error', `<h1>Sign-in expired</h1><p>${esc(err.message)}</p>`));
    }
    if (details.uid !== uid) return send(res, 400, 'text/html', page('Error', '<h1>Interaction mismatch</h1>'));
    const { prompt, params, session, grantId } = details;
    const client = await provider.Client.find(params.client_id);
    const action = `${cfg.issuerPath}/interaction/${uid}/login`;

    if (prompt.name === 'login') {
      if (req.method === 'POST' && sub === 'login') {
        const form = new URLSearchParams(await readBody(req));
        const email = form.get('username') ?? '';
        const u = users.get(email.trim().toLowerCase());
        if (!u || u.password !== form.get('password')) {
          return send(res, 200, 'text/html', loginPage({
            action, clientName: client?.clientName, email, error: 'Unable to sign in: wrong username or password.',
          }));
        }
        return provider.interactionFinished(req, res, { login: { accountId: u.sub, remember: true } },
          { mergeWithLastSubmission: false });
      }
      return send(res, 200, 'text/html', loginPage({
        action, clientName: client?.clientName, email: params.login_hint ?? '',
      }));
    }
    if (prompt.name === 'consent') {
      // First-party app: grant whatever was asked, no consent screen.
      const grant = grantId ? await provider.Grant.find(grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const d = prompt.details;
      if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
      if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
      if (d.missingResourceScopes) {
        for (const [ind, sc] of Object.entries(d.missingResourceScopes)) grant.addResourceScope(ind, sc.join(' '));
      }
      return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } },
        { mergeWithLastSubmission: true });
    }
    return send(res, 501, 'text/plain', `prompt ${prompt.name} not implemented`);
  }

  const pending = new Set(); // hung responses, ended on shutdown

  // Token/userinfo/jwks misbehaviour for fault tests (only with --test-controls).
  async function misbehave(req, res, mode, realPath) {
    switch (mode) {
      case 'hang':
        pending.add(res);
        res.on('close', () => pending.delete(res));
        req.resume();
        return;
      case '500':
        req.resume();
        return send(res, 500, 'application/json', JSON.stringify({ errorCode: 'E0000009', errorSummary: 'Internal Server Error' }));
      case 'html':
        req.resume();
        return send(res, 200, 'text/html', page('Maintenance', '<h1>Down for maintenance</h1>'));
      case 'wrong-sub': { // UserInfo answering for somebody else
        const real = await forward(req, await readBody(req), realPath);
        let body = real.body;
        if (real.status === 200) body = JSON.stringify({ ...JSON.parse(body), sub: '00uSOMEBODYELSE00000' });
        return send(res, real.status, real.headers['content-type'], body);
      }
      case 'slow':
      case 'delay': {
        const body = await readBody(req);
        if (mode === 'delay') await sleep(modes.delay_ms);
        const real = await forward(req, body, realPath);
        if (mode === 'delay') return send(res, real.status, real.headers['content-type'], real.body);
        res.writeHead(real.status, { 'content-type': real.headers['content-type'], 'cache-control': 'no-store' });
        pending.add(res);
        res.on('close', () => pending.delete(res));
        for (const byte of real.body) {
          if (res.destroyed) return;
          res.write(Buffer.from([byte]));
          await sleep(modes.drip_ms);
        }
        return res.end();
      }
      default:
        return send(res, 500, 'text/plain', `unknown mode ${mode}`);
    }
  }

  // ID token tampering for RP validation tests: the token endpoint answers
  // normally, but its id_token is altered (and re-signed with the IdP's current
  // key unless the point is a bad signature).
  const TAMPER = {
    'bad-signature': (h, p) => ({ h, p, sig: 'flip' }),
    'alg-none': (h, p) => ({ h: { ...h, alg: 'none' }, p, sig: 'none' }),
    hs256: (h, p) => ({ h: { ...h, alg: 'HS256' }, p, sig: 'hs256' }),
    'unknown-kid': (h, p) => ({ h: { ...h, kid: 'not-in-jwks' }, p }),
    'foreign-key': (h, p) => ({ h, p, sig: 'foreign' }), // kid of the real key, signed by another
    jku: (h, p) => ({ h: { ...h, jku: 'http://127.0.0.1:9/evil-jwks' }, p, sig: 'foreign' }),
    'wrong-iss': (h, p) => ({ h, p: { ...p, iss: `${p.iss}/other` } }),
    'wrong-aud': (h, p) => ({ h, p: { ...p, aud: 'some-other-client' } }),
    'multi-aud-no-azp': (h, p) => ({ h, p: { ...p, aud: [p.aud, 'some-other-client'], azp: undefined } }),
    'multi-aud-azp': (h, p) => ({ h, p: { ...p, aud: [p.aud, 'some-other-client'], azp: p.aud } }),
    expired: (h, p) => ({ h, p: { ...p, iat: p.iat - 7200, exp: p.iat - 3600 } }),
    'expired-within-skew': (h, p) => ({ h, p: { ...p, exp: Math.floor(Date.now() / 1000) - 30 } }),
    'no-exp': (h, p) => ({ h, p: { ...p, exp: undefined } }),
    'no-iat': (h, p) => ({ h, p: { ...p, iat: undefined } }),
    'no-sub': (h, p) => ({ h, p: { ...p, sub: undefined } }),
    'no-nonce': (h, p) => ({ h, p: { ...p, nonce: undefined } }),
    'wrong-nonce': (h, p) => ({ h, p: { ...p, nonce: 'not-the-nonce' } }),
    'no-email': (h, p) => ({ h, p: { ...p, email: undefined, email_verified: undefined } }),
    'email-unverified': (h, p) => ({ h, p: { ...p, email_verified: false } }),
    'email-unverified-string': (h, p) => ({ h, p: { ...p, email_verified: 'false' } }),
  };

  // The "other" key of foreign-key/jku: one per process. Generating an RSA key
  // per token request made the token endpoint take 1-3 s on a busy 2-core
  // machine, longer than an RP's IdP timeout, so tampering tests saw 504s.
  // Made in the background at start (with test controls), synchronously if
  // asked for before that finished.
  let foreignJwk;
  if (cfg.testControls) {
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, _pub, priv) => {
      if (!err && !foreignJwk) foreignJwk = { ...priv.export({ format: 'jwk' }), kid: 'foreign', alg: 'RS256', use: 'sig' };
    });
  }
  const foreignKey = () => (foreignJwk ??= generateJwks(1).keys[0]);

  function signJwt(header, payload, how, clientSecret) {
    const b = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${b(header)}.${b(payload)}`;
    if (how === 'none') return `${input}.`;
    if (how === 'hs256') return `${input}.${createHmac('sha256', clientSecret ?? '').update(input).digest('base64url')}`;
    const jwk = how === 'foreign' ? foreignKey() : jwks.keys[0];
    let sig = rsaSign('sha256', Buffer.from(input), createPrivateKey({ key: jwk, format: 'jwk' }));
    if (how === 'flip') sig = Buffer.from(sig.map((x, i) => (i === 10 ? x ^ 0xff : x)));
    return `${input}.${sig.toString('base64url')}`;
  }

  async function tamperToken(req, res, realPath) {
    const real = await forward(req, await readBody(req), realPath);
    if (real.status !== 200) return send(res, real.status, real.headers['content-type'], real.body);
    const body = JSON.parse(real.body);
    const [h, p] = body.id_token.split('.').slice(0, 2).map((x) => JSON.parse(Buffer.from(x, 'base64url')));
    const t = TAMPER[modes.id_token](h, p);
    const secret = cfg.clients.find((c) => c.client_id === (Array.isArray(p.aud) ? p.aud[0] : p.aud))?.client_secret;
    body.id_token = signJwt(t.h, t.p, t.sig, secret);
    return send(res, 200, 'application/json', JSON.stringify(body));
  }

  function forward(req, body, path) {
    return new Promise((resolve, reject) => {
      const r = httpRequest({
        host: '127.0.0.1', port: state.port, path, method: req.method,
        headers: { ...req.headers, 'x-idp-bypass': bypass, 'content-length': Buffer.byteLength(body) },
      }, (resp) => {
        const chunks = [];
        resp.on('data', (c) => chunks.push(c));
        resp.on('end', () => resolve({ status: resp.statusCode, headers: resp.headers, body: Buffer.concat(chunks) }));
      });
      r.on('error', reject);
      r.end(body);
    });
  }

  function testControl(req, res, url) {
    const p = url.pathname.slice('/_test/'.length);
    if (p === 'mode') {
      for (const k of ['token', 'userinfo', 'jwks', 'id_token']) {
        const v = url.searchParams.get(k);
        if (v == null) continue;
        const allowed = k === 'id_token' ? ['normal', ...Object.keys(TAMPER)]
          : ['normal', 'hang', '500', 'html', 'slow', 'delay', ...(k === 'userinfo' ? ['wrong-sub'] : [])];
        if (!allowed.includes(v)) return send(res, 400, 'text/plain', `bad ${k} mode ${v}; one of ${allowed.join(' ')}\n`);
        modes[k] = v;
      }
      for (const k of ['drip_ms', 'delay_ms']) if (url.searchParams.has(k)) modes[k] = Number(url.searchParams.get(k));
      return send(res, 200, 'application/json', JSON.stringify(modes));
    }
    if (p === 'counts') return send(res, 200, 'application/json', JSON.stringify(counts));
    if (p === 'reset') {
      Object.assign(modes, DEFAULT_MODES);
      return send(res, 200, 'application/json', JSON.stringify(modes));
    }
    if (p === 'rotate-keys') { // new signing key; the old ones stay published unless drop_old=1
      const fresh = generateJwks(1).keys[0];
      jwks = { keys: url.searchParams.get('drop_old') === '1' ? [fresh] : [fresh, ...jwks.keys] };
      startProvider();
      return send(res, 200, 'application/json', JSON.stringify({ kid: fresh.kid, kids: jwks.keys.map((k) => k.kid) }));
    }
    if (p === 'users') { // add or change a user at run time: POST JSON {email,password,name,...}
      return readBody(req).then((b) => {
        const u = JSON.parse(b);
        u.sub ??= users.get(u.email.toLowerCase())?.sub
          ?? `00u${createHash('sha256').update(u.email.toLowerCase()).digest('hex').slice(0, 17)}`;
        u.email_verified ??= true;
        users.set(u.email.toLowerCase(), u);
        bySub.set(u.sub, u);
        send(res, 200, 'application/json', JSON.stringify({ sub: u.sub }));
      });
    }
    return send(res, 404, 'text/plain', 'unknown test control\n');
  }

  function tile(res, clientId) {
    const x = extras.get(clientId);
    if (!x?.initiate_login_uri) return send(res, 404, 'text/plain', `no initiate_login_uri for ${clientId}\n`);
    const u = new URL(x.initiate_login_uri);
    u.searchParams.set('iss', state.issuer);
    if (x.target_link_uri) u.searchParams.set('target_link_uri', x.target_link_uri);
    res.writeHead(302, { location: u.href, 'cache-control': 'no-store' });
    return res.end();
  }

  async function route(req, res) {
    const url = new URL(req.url, 'http://x');
    let path = url.pathname;
    if (path.startsWith('/_tile/')) return tile(res, decodeURIComponent(path.slice(7)));
    if (path.startsWith('/_test/')) {
      if (!cfg.testControls) return send(res, 404, 'text/plain', 'not found\n');
      return testControl(req, res, url);
    }
    if (cfg.issuerPath) {
      if (path !== cfg.issuerPath && !path.startsWith(`${cfg.issuerPath}/`)) return send(res, 404, 'text/plain', 'not found\n');
      path = path.slice(cfg.issuerPath.length) || '/';
    }
    if (req.headers['x-idp-bypass'] !== bypass) {
      if (path === '/.well-known/openid-configuration') counts.discovery += 1;
      for (const k of ['authorization', 'token', 'userinfo', 'jwks', 'end_session']) if (path === routes[k]) counts[k] += 1;
    }
    const m = /^\/interaction\/([\w-]+)(?:\/(login))?$/.exec(path);
    if (m) return handleInteraction(req, res, m[1], m[2]);
    if (cfg.testControls && req.headers['x-idp-bypass'] !== bypass) {
      for (const k of ['token', 'userinfo', 'jwks']) {
        if (path === routes[k] && modes[k] !== 'normal') return misbehave(req, res, modes[k], req.url);
      }
      if (path === routes.token && modes.id_token !== 'normal') return tamperToken(req, res, req.url);
    }
    // Endpoints in discovery always use the issuer's host, as Okta's do, whatever
    // name the client used to reach us (127.0.0.1 vs localhost).
    req.headers.host = new URL(state.issuer).host;
    if (cfg.issuerPath) {
      req.originalUrl = req.url;
      req.url = req.url.slice(cfg.issuerPath.length) || '/';
    }
    return state.callback(req, res);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err) => {
      process.stderr.write(`idp: ${err.stack}\n`);
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n'); else res.destroy();
    });
  });

  // (Re)creates the Provider with the current keys. oidc-provider's in-memory
  // adapter keeps its storage per process, so sessions, codes and grants survive.
  function startProvider() {
    const provider = new Provider(state.issuer, { ...configuration, clients: structuredClone(clients), jwks: structuredClone(jwks) });
    provider.on('server_error', (ctx, err) => process.stderr.write(`idp server_error: ${err.stack}\n`));
    state.provider = provider;
    state.callback = provider.callback();
  }

  return {
    server,
    async listen(port) {
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      state.port = server.address().port;
      state.issuer = `${issuerOrigin}:${state.port}${cfg.issuerPath}`;
      startProvider();
      return state;
    },
    async close() {
      for (const r of pending) r.destroy();
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
    },
    errors,
  };
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': `${type}${type.startsWith('text/') ? '; charset=utf-8' : ''}`, 'cache-control': 'no-store' });
  res.end(body);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function readBody(req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    let size = 0; const chunks = [];
    req.on('data', (c) => { size += c.length; if (size > limit) { req.destroy(); reject(new Error('body too large')); } else chunks.push(c); });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------- main
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const gen = process.argv.indexOf('--generate-jwks');
  if (gen !== -1) {
    writeFileSync(process.argv[gen + 1], `${JSON.stringify(generateJwks(Number(process.argv[gen + 2] ?? 1)), null, 2)}\n`, { mode: 0o600 });
    process.exit(0);
  }
  let cfg;
  try {
    cfg = loadConfig(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`idp: ${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  const idp = await createIdp(cfg);
  const { port, issuer } = await idp.listen(cfg.port);
  process.stderr.write(`idp issuer ${issuer}; ${cfg.clients.length} client(s), ${cfg.users.length} user(s)`
    + `${cfg.thinIdToken ? ', thin ID token' : ''}${cfg.testControls ? ', test controls on' : ''}\n`);
  process.stdout.write(`idp listening on http://127.0.0.1:${port}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await idp.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
