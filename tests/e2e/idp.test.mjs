// Proves the demo IdP (idp/server.mjs) behaves like an Okta org before any
// gatehouse test relies on it: discovery, a real browser login through its own
// form, thin ID tokens, wrong passwords, RP-initiated logout, the dashboard tile,
// and the token-endpoint fault modes.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startIdp, startTestRp, freePort, launchBrowser, screenshot, loginAtIdp, DEMO_USERS } from './lib/index.mjs';

const CLIENT = { client_id: 'test-rp', client_secret: 'test-rp-secret' };

async function setup(idpOptions = {}) {
  const rpPort = await freePort();
  const idp = await startIdp({
    clients: [{
      ...CLIENT,
      redirect_uris: [`http://127.0.0.1:${rpPort}/sso/callback`],
      post_logout_redirect_uris: [`http://127.0.0.1:${rpPort}/signed-out`],
      initiate_login_uri: `http://127.0.0.1:${rpPort}/initiate`,
      target_link_uri: `http://127.0.0.1:${rpPort}/deep/link`,
    }],
    ...idpOptions,
  });
  const rp = await startTestRp({ issuer: idp.issuer, clientId: CLIENT.client_id, clientSecret: CLIENT.client_secret, port: rpPort });
  return { idp, rp, stop: async () => { await rp.stop(); await idp.stop(); } };
}

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

describe('default IdP (claims in the ID token)', () => {
  let env;
  before(async () => { env = await setup(); });
  after(async () => { if (process.env.IDP_LOGS) (await import('node:fs')).appendFileSync(process.env.IDP_LOGS, env.idp.logs()); await env?.stop(); });

  test('discovery document', async () => {
    const r = await fetch(`${env.idp.issuer}/.well-known/openid-configuration`);
    assert.equal(r.status, 200);
    const d = await r.json();
    assert.equal(d.issuer, env.idp.issuer);
    assert.match(d.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(d.authorization_response_iss_parameter_supported, true);
    assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(d.response_types_supported, ['code']);
    assert.equal(d.end_session_endpoint, `${env.idp.issuer}/oauth2/v1/logout`);
    assert.equal(d.authorization_endpoint, `${env.idp.issuer}/oauth2/v1/authorize`);
    assert.ok(d.userinfo_endpoint);
    assert.deepEqual(d.id_token_signing_alg_values_supported, ['RS256']);
    assert.ok(d.token_endpoint_auth_methods_supported.includes('client_secret_basic'));
    const jwks = await (await fetch(d.jwks_uri)).json();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].kty, 'RSA');
    assert.equal(jwks.keys[0].d, undefined, 'private parts never published');
  });

  test('PKCE is required', async () => {
    const u = new URL(env.rp.meta.authorization_endpoint);
    u.search = new URLSearchParams({ response_type: 'code', client_id: CLIENT.client_id, redirect_uri: env.rp.redirectUri, scope: 'openid', state: 's', nonce: 'n' });
    const r = await fetch(u, { redirect: 'manual' });
    assert.equal(r.status, 303);
    const loc = new URL(r.headers.get('location'));
    assert.equal(loc.searchParams.get('error'), 'invalid_request');
    assert.match(loc.searchParams.get('error_description'), /PKCE/);
  });

  test('browser login: wrong password, then success with claims in the ID token', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${env.rp.url}/start`);
    await screenshot(page, 'idp-login-form');
    assert.equal(await page.title(), 'Sign In');

    const bad = await loginAtIdp(page, 'admin@demo.test', 'not-the-password');
    assert.match(bad.error, /wrong username or password/);
    assert.equal(await page.getByLabel('Username').inputValue(), 'admin@demo.test');
    await screenshot(page, 'idp-login-wrong-password');
    assert.equal(env.rp.results.length, 0);

    const ok = await loginAtIdp(page, 'admin@demo.test', 'admin-password');
    assert.equal(ok.error, null);
    assert.equal(new URL(page.url()).pathname, '/sso/callback');
    await screenshot(page, 'idp-login-success');
    const r = env.rp.results.at(-1);
    assert.equal(r.tokenStatus, 200, JSON.stringify(r.tokens));
    assert.equal(r.iss, env.idp.issuer);
    assert.equal(r.signatureValid, true);
    assert.equal(r.header.alg, 'RS256');
    assert.equal(r.nonceMatches, true);
    assert.equal(r.idToken.iss, env.idp.issuer);
    assert.equal(r.idToken.aud, CLIENT.client_id);
    assert.equal(r.idToken.sub, DEMO_USERS[0].sub);
    assert.equal(r.idToken.email, 'admin@demo.test');
    assert.equal(r.idToken.email_verified, true);
    assert.equal(r.idToken.name, 'Ada Admin');
    assert.equal(r.userinfo.sub, DEMO_USERS[0].sub);
    assert.equal(r.userinfo.email, 'admin@demo.test');

    // The IdP session cookie makes a second sign-in in the same browser automatic.
    await page.goto(`${env.rp.url}/start`);
    await page.waitForURL(/\/sso\/callback/);
    assert.equal(env.rp.results.length, 2);
    assert.equal(env.rp.results[1].idToken.sub, DEMO_USERS[0].sub);

    // RP-initiated logout ends the IdP session without a prompt and returns.
    const { id_token: idTokenHint } = env.rp.results[1].tokens;
    const lo = new URL(env.rp.meta.end_session_endpoint);
    lo.search = new URLSearchParams({ id_token_hint: idTokenHint, post_logout_redirect_uri: `${env.rp.url}/signed-out`, state: 'bye' });
    await page.goto(lo.href);
    await page.waitForURL(/\/signed-out\?state=bye$/);

    // ... so the next sign-in asks for credentials again.
    await page.goto(`${env.rp.url}/start`);
    await page.getByLabel('Password').waitFor();
    assert.equal(await page.title(), 'Sign In');
    await ctx.close();
  });

  test('dashboard tile redirects to initiate_login_uri with iss and target_link_uri', async () => {
    const r = await fetch(`${env.idp.url}/_tile/${CLIENT.client_id}`, { redirect: 'manual' });
    assert.equal(r.status, 302);
    const loc = new URL(r.headers.get('location'));
    assert.equal(loc.pathname, '/initiate');
    assert.equal(loc.searchParams.get('iss'), env.idp.issuer);
    assert.equal(loc.searchParams.get('target_link_uri'), `${env.rp.url}/deep/link`);
    assert.equal((await fetch(`${env.idp.url}/_tile/nope`, { redirect: 'manual' })).status, 404);
  });

  test('token endpoint fault modes', async () => {
    const token = env.rp.meta.token_endpoint;
    const post = (signal) => fetch(token, { method: 'POST', body: 'grant_type=authorization_code&code=x', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('test-rp:wrong').toString('base64')}` }, signal });

    assert.equal((await post()).status, 401, 'normal: wrong client secret');
    await env.idp.setMode({ token: '500' });
    assert.equal((await post()).status, 500);
    await env.idp.setMode({ token: 'html' });
    const h = await post();
    assert.match(h.headers.get('content-type'), /text\/html/);
    await env.idp.setMode({ token: 'hang' });
    await assert.rejects(post(AbortSignal.timeout(500)), /TimeoutError|aborted/);
    await env.idp.setMode({ token: 'slow', drip_ms: 20 });
    const t0 = Date.now();
    const s = await post();
    assert.equal(s.status, 401);
    const body = await s.text();
    assert.ok(Date.now() - t0 >= body.length * 15, 'body arrives byte by byte');
    assert.equal(JSON.parse(body).error, 'invalid_client');
    await env.idp.reset();
    assert.equal((await post()).status, 401);
  });
  test('ID token tampering, UserInfo lies and live key rotation (for RP validation tests)', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const signIn = async () => {
      await page.goto(`${env.rp.url}/start`);
      if (await page.title() === 'Sign In') await loginAtIdp(page, 'member@demo.test', 'member-password');
      await page.waitForURL(/\/sso\/callback/);
      return env.rp.results.at(-1);
    };
    const kid0 = (await signIn()).header.kid;

    await env.idp.setMode({ id_token: 'wrong-nonce' });
    let r = await signIn();
    assert.equal(r.signatureValid, true, `re-signed with the real key: ${JSON.stringify(r)}`);
    assert.equal(r.nonceMatches, false);
    await env.idp.setMode({ id_token: 'bad-signature' });
    assert.equal((await signIn()).signatureValid, false);
    await env.idp.setMode({ id_token: 'alg-none' });
    r = await signIn();
    assert.equal(r.header.alg, 'none');
    assert.equal(r.signatureValid, false);
    await env.idp.setMode({ id_token: 'expired' });
    r = await signIn();
    assert.ok(r.idToken.exp < Date.now() / 1000 - 3000);
    await env.idp.setMode({ id_token: 'multi-aud-no-azp', userinfo: 'wrong-sub' });
    r = await signIn();
    assert.equal(r.idToken.aud.length, 2);
    assert.equal(r.idToken.azp, undefined);
    assert.notEqual(r.userinfo.sub, r.idToken.sub);
    const expect = {
      hs256: (x) => x.header.alg === 'HS256' && !x.signatureValid,
      'unknown-kid': (x) => x.header.kid === 'not-in-jwks',
      'foreign-key': (x) => x.header.kid === kid0 && !x.signatureValid,
      jku: (x) => Boolean(x.header.jku) && !x.signatureValid,
      'wrong-iss': (x) => x.signatureValid && x.idToken.iss !== env.idp.issuer,
      'wrong-aud': (x) => x.signatureValid && x.idToken.aud === 'some-other-client',
      'multi-aud-azp': (x) => x.signatureValid && x.idToken.azp === CLIENT.client_id && x.idToken.aud.length === 2,
      'expired-within-skew': (x) => x.signatureValid && x.idToken.exp < Date.now() / 1000 && x.idToken.exp > Date.now() / 1000 - 60,
      'no-exp': (x) => x.signatureValid && !('exp' in x.idToken),
      'no-iat': (x) => x.signatureValid && !('iat' in x.idToken),
      'no-sub': (x) => x.signatureValid && !('sub' in x.idToken),
      'no-nonce': (x) => x.signatureValid && !('nonce' in x.idToken),
      'no-email': (x) => x.signatureValid && !('email' in x.idToken) && x.userinfo.email === 'member@demo.test',
      'email-unverified': (x) => x.signatureValid && x.idToken.email_verified === false,
      'email-unverified-string': (x) => x.signatureValid && x.idToken.email_verified === 'false',
    };
    for (const [mode, ok] of Object.entries(expect)) {
      await env.idp.setMode({ id_token: mode });
      r = await signIn();
      assert.ok(ok(r), `${mode}: ${JSON.stringify({ header: r.header, idToken: r.idToken, sig: r.signatureValid })}`);
    }
    const bad = await fetch(`${env.idp.url}/_test/mode?id_token=bogus`);
    assert.equal(bad.status, 400);
    await env.idp.reset();

    const rot = await (await fetch(`${env.idp.url}/_test/rotate-keys`)).json();
    assert.deepEqual(rot.kids, [rot.kid, kid0]);
    r = await signIn(); // the IdP session survives the rotation: no form
    assert.equal(r.header.kid, rot.kid);
    assert.equal(r.signatureValid, true);
    const jwks = await (await fetch(env.rp.meta.jwks_uri)).json();
    assert.deepEqual(jwks.keys.map((k) => k.kid), [rot.kid, kid0]);
    const rot2 = await (await fetch(`${env.idp.url}/_test/rotate-keys?drop_old=1`)).json();
    assert.deepEqual(rot2.kids, [rot2.kid]);
    await ctx.close();
  });
});

describe('--thin-id-token (Okta org-server-like) with an issuer path', () => {
  let env;
  before(async () => { env = await setup({ thinIdToken: true, issuerPath: '/oauth2/default', testControls: false }); });
  after(async () => { if (process.env.IDP_LOGS) (await import('node:fs')).appendFileSync(process.env.IDP_LOGS, env.idp.logs()); await env?.stop(); });

  test('ID token has only sub; UserInfo has email and name', async () => {
    assert.match(env.idp.issuer, /^http:\/\/127\.0\.0\.1:\d+\/oauth2\/default$/);
    assert.equal(env.rp.meta.issuer, env.idp.issuer);
    assert.equal(env.rp.meta.token_endpoint, `${env.idp.issuer}/v1/token`);
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${env.rp.url}/start`);
    const { error } = await loginAtIdp(page, 'member@demo.test', 'member-password');
    assert.equal(error, null);
    await screenshot(page, 'idp-thin-login-success');
    const r = env.rp.results.at(-1);
    assert.equal(r.signatureValid, true);
    assert.equal(r.iss, env.idp.issuer);
    assert.equal(r.idToken.iss, env.idp.issuer);
    assert.equal(r.idToken.sub, DEMO_USERS[1].sub);
    assert.equal(r.idToken.email, undefined);
    assert.equal(r.idToken.name, undefined);
    assert.equal(r.nonceMatches, true);
    assert.equal(r.userinfo.sub, DEMO_USERS[1].sub);
    assert.equal(r.userinfo.email, 'member@demo.test');
    assert.equal(r.userinfo.name, 'Max Member');
    await ctx.close();
  });

  test('test controls are off unless asked for', async () => {
    assert.equal((await fetch(`${env.idp.url}/_test/mode?token=hang`)).status, 404);
  });
});
