// End-to-end: the signed-in workspace (SPEC.md §3–§5, the Okta guide's Notes)
// in a real browser, against the real gatehouse binary and the demo IdP:
// role toggling by an admin (and the last-admin guard), admin-only billing and
// activity, shared API tokens checked by the gateway route /internal/authz,
// shared models and the OpenAI-style /v1/models list, usage reported by the
// gateway showing up in billing (idempotently), and the personal workspace.
// Skipped when the binary is not built ($GATEHOUSE_BIN, default ../../build/gatehouse).
import { test, before, after, afterEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import {
  startIdp, startGatehouse, freePort, launchBrowser, screenshot, loginAtIdp, gatehouseBinary, DEMO_USERS,
} from './lib/index.mjs';

const skip = existsSync(gatehouseBinary()) ? false : `gatehouse binary not built at ${gatehouseBinary()}`;

const [ADA, MAX] = DEMO_USERS; // Ada Admin (admin by email), Max Member
const MIA = { sub: '00u3member0demo000003', email: 'mia@demo.test', email_verified: true, name: 'Mia Member', password: 'mia-password' };
const INTERNAL_KEY = 'e2e-internal-key-0123456789abcdef';
const today = () => new Date().toISOString().slice(0, 10);

describe('gatehouse workspace: team, tokens, models, billing', { skip }, () => {
  let idp; let gh; let browser; let base;
  // "acme" stays shared for tests 1–5; "solo" is switched to personal by test 6.
  const TEAMS = {
    acme: { client_id: 'gatehouse-ws-acme', client_secret: 'acme-secret-0123456789' },
    solo: { client_id: 'gatehouse-ws-solo', client_secret: 'solo-secret-0123456789' },
  };
  let contexts = [];

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    idp = await startIdp({
      users: [...DEMO_USERS, MIA],
      clients: Object.entries(TEAMS).map(([team, c]) => ({
        ...c,
        redirect_uris: [`${base}/sso/callback`],
        post_logout_redirect_uris: [`${base}/login`],
        initiate_login_uri: `${base}/sso/${team}/initiate`,
      })),
    });
    gh = await startGatehouse({
      env: {
        GATEHOUSE_LISTEN: `127.0.0.1:${port}`, GATEHOUSE_PUBLIC_URL: base, GATEHOUSE_IDP_TIMEOUT_MS: '5000',
        GATEHOUSE_INTERNAL_KEY: INTERNAL_KEY,
      },
    });
    for (const [team, c] of Object.entries(TEAMS)) {
      const add = await gh.cli(['team', 'add', '--team-id', team, '--issuer', idp.issuer, '--client-id', c.client_id,
        '--client-secret-stdin', '--admin-email', ADA.email, '--name', `Team ${team}`], { stdin: `${c.client_secret}\n` });
      assert.equal(add.code, 0, add.stderr);
    }
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const ctx of contexts) await ctx.close().catch(() => {});
    contexts = [];
  });
  after(async () => {
    await browser?.close();
    await gh?.stop();
    await idp?.stop();
  });

  /** One person in their own browser context, signed in through the IdP (SP-initiated). */
  async function signIn(team, user) {
    const ctx = await browser.newContext();
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${base}/login_sso`);
    await page.locator('input[name="team_id"]').fill(team);
    await page.getByRole('button', { name: 'SSO Login' }).click();
    const { error } = await loginAtIdp(page, user.email, user.password);
    assert.equal(error, null, `${user.email} signs in at the IdP`);
    await page.waitForURL(`${base}/dashboard`);
    const me = await getJson(page, '/api/v1/me');
    assert.equal(me.user.email, user.email);
    assert.equal(me.team.id, team);
    return { ctx, page, me };
  }

  async function getJson(page, route) {
    const r = await page.request.get(`${base}${route}`);
    assert.equal(r.status(), 200, `${route}: ${await r.text()}`);
    return r.json();
  }

  /** A token made through the JSON API with the session cookie (+ CSRF header). */
  async function apiToken(person, name) {
    const r = await person.page.request.post(`${base}/api/v1/tokens`, {
      headers: { 'X-CSRF-Token': person.me.csrf_token }, data: { name },
    });
    assert.equal(r.status(), 201, await r.text());
    return r.json();
  }

  /** Clicks a form's submit button and returns the response to that POST. */
  async function submit(page, button, pathPrefix) {
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.startsWith(pathPrefix)),
      button.click(),
    ]);
    await page.waitForLoadState('load');
    return resp;
  }

  const authz = (secret) => fetch(`${base}/internal/authz`, { headers: { Authorization: `Bearer ${secret}` } });

  test('admin toggles a member to admin and back', async () => {
    const max = await signIn('acme', MAX); // first, so that Max exists
    const ada = await signIn('acme', ADA);
    assert.equal(max.me.role, 'member');
    assert.equal(ada.me.role, 'admin');

    await ada.page.goto(`${base}/team`);
    await ada.page.getByRole('cell', { name: /^Max Member/ }).waitFor();
    await screenshot(ada.page, 'ws-team-admin');

    const promote = await submit(ada.page, ada.page.getByRole('button', { name: 'Make Max Member an admin' }), '/team/members/');
    assert.equal(promote.status(), 303);
    assert.equal(new URL(ada.page.url()).pathname, '/team');
    // The member's very next request sees the new role, without signing in again.
    assert.equal((await getJson(max.page, '/api/v1/me')).role, 'admin');
    await max.page.goto(`${base}/dashboard`);
    assert.equal(await max.page.getByRole('link', { name: 'Billing' }).count(), 1, 'the new admin sees Billing');

    const demote = await submit(ada.page, ada.page.getByRole('button', { name: 'Make Max Member a member' }), '/team/members/');
    assert.equal(demote.status(), 303);
    assert.equal((await getJson(max.page, '/api/v1/me')).role, 'member');

    // Ada is now the only admin: demoting herself must be refused with 409.
    const last = await submit(ada.page, ada.page.getByRole('button', { name: 'Make Ada Admin a member' }), '/team/members/');
    assert.equal(last.status(), 409);
    const alert = ada.page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /admin/i);
    await screenshot(ada.page, 'ws-team-last-admin-409');
    assert.equal((await getJson(ada.page, '/api/v1/me')).role, 'admin', 'still admin after the refusal');
    // The same guard on the JSON API: 409 with the code SPEC.md §4 names.
    const api = await ada.page.request.put(`${base}/api/v1/team/members/${ada.me.user.id}/role`, {
      headers: { 'X-CSRF-Token': ada.me.csrf_token }, data: { role: 'member' },
    });
    assert.equal(api.status(), 409);
    assert.equal((await api.json()).error, 'last_admin');

    // Both changes are in the team's audit trail (SPEC.md §3 /activity).
    await ada.page.goto(`${base}/activity`);
    assert.ok(await ada.page.getByRole('row').filter({ hasText: 'role.change' }).count() >= 2, 'two role.change rows');
    await screenshot(ada.page, 'ws-activity-admin');
  });

  test('a member sees no role controls and gets 403 on /billing', async () => {
    const max = await signIn('acme', MAX);
    await max.page.goto(`${base}/team`);
    await max.page.getByRole('cell', { name: /^Max Member/ }).waitFor();
    assert.equal(await max.page.getByRole('button', { name: /^Make .* (an admin|a member)$/ }).count(), 0);
    assert.equal(await max.page.locator('form[action^="/team/members/"]').count(), 0);
    // Hiding the button is not the protection: the member's own valid form post is refused too.
    const members = (await getJson(max.page, '/api/v1/team/members')).members;
    const self = members.find((m) => m.email === MAX.email);
    const forged = await max.page.request.post(`${base}/team/members/${self.user_id}/role`, {
      form: { csrf_token: max.me.csrf_token, role: 'admin' }, maxRedirects: 0,
    });
    assert.equal(forged.status(), 403);
    assert.equal((await getJson(max.page, '/api/v1/me')).role, 'member');

    for (const route of ['/billing', '/activity']) {
      const r = await max.page.goto(`${base}${route}`);
      assert.equal(r.status(), 403, route);
      assert.match(await max.page.locator('h1').textContent(), /Admins only/);
      await screenshot(max.page, `ws-${route.slice(1)}-403-member`);
    }
    const csv = await max.page.request.get(`${base}/billing.csv`);
    assert.equal(csv.status(), 403, 'a member cannot download the CSV either');
    await max.page.goto(`${base}/dashboard`);
    await max.page.getByRole('link', { name: 'Team' }).waitFor();
    assert.equal(await max.page.getByRole('link', { name: 'Billing' }).count(), 0);

    const ada = await signIn('acme', ADA);
    await ada.page.goto(`${base}/dashboard`);
    await ada.page.getByRole('link', { name: 'Billing' }).click();
    await ada.page.waitForURL(`${base}/billing`);
    assert.equal(await ada.page.locator('.chart svg').count(), 1, 'the cost chart is an inline SVG');
    await screenshot(ada.page, 'ws-billing-admin');
    const link = ada.page.getByRole('link', { name: 'Download CSV' });
    const href = await link.getAttribute('href');
    assert.match(href, /^\/billing\.csv\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
    const r = await ada.page.request.get(`${base}${href}`);
    assert.equal(r.status(), 200);
    assert.match(r.headers()['content-type'], /^text\/csv/);
    assert.match(r.headers()['content-disposition'], /^attachment; filename="usage-acme-.*\.csv"$/);
    assert.match(await r.text(), /^day,model,token_id,input_tokens,output_tokens,cost_usd\r\n/);
    const [download] = await Promise.all([ada.page.waitForEvent('download'), link.click()]);
    assert.match(download.suggestedFilename(), /^usage-acme-.*\.csv$/);
  });

  test('a token is created, used against /internal/authz, revoked, and refused', async () => {
    const max = await signIn('acme', MAX);
    await max.page.goto(`${base}/tokens`);
    await max.page.getByLabel('Name').fill('ci');
    const created = await submit(max.page, max.page.getByRole('button', { name: 'Create token' }), '/tokens');
    assert.equal(created.status(), 201);
    assert.equal(created.headers()['cache-control'], 'no-store');
    const field = max.page.locator('#new-token');
    assert.equal(await field.getAttribute('readonly'), '');
    const secret = await field.inputValue();
    assert.ok(secret.length >= 20, `a long secret: ${secret}`);
    await screenshot(max.page, 'ws-token-created');

    const ok = await authz(secret);
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('x-team-id'), 'acme');
    const tokenId = ok.headers.get('x-token-id');
    assert.ok(tokenId);
    assert.equal(ok.headers.get('x-user-id'), null, 'no X-User-Id in a shared workspace');

    const listed = (await getJson(max.page, '/api/v1/tokens')).tokens.find((t) => t.id === tokenId);
    assert.equal(listed.name, 'ci');
    assert.equal(listed.token, undefined, 'the list never carries the secret');
    assert.ok(secret.startsWith(listed.prefix) && listed.prefix.length < secret.length, 'prefix only');
    await max.page.getByRole('link', { name: /back to API tokens/ }).click();
    await max.page.waitForURL(`${base}/tokens`);
    const html = await max.page.content();
    assert.equal(html.includes(secret), false, 'the secret is not shown again');
    assert.ok(html.includes(listed.prefix));

    // Shared workspace: another member sees the same token.
    const mia = await signIn('acme', MIA);
    await mia.page.goto(`${base}/tokens`);
    const row = mia.page.getByRole('row').filter({ hasText: listed.prefix });
    await row.waitFor();
    assert.match(await row.textContent(), /ci/);
    // created_by is the creator's email (Service::display_name), which names them unambiguously.
    assert.match(await row.textContent(), /member@demo\.test/);

    const revoked = await submit(max.page, max.page.getByRole('button', { name: 'Revoke token ci' }), `/tokens/${tokenId}/revoke`);
    assert.equal(revoked.status(), 303);
    assert.equal(await max.page.getByRole('button', { name: 'Revoke token ci' }).count(), 0);
    // The earlier 204 may sit in the gateway's cache; the revocation must win at once.
    assert.equal((await authz(secret)).status, 401);
  });

  test('models are shared by the team', async () => {
    const max = await signIn('acme', MAX);
    const name = `llama-ft-${randomUUID().slice(0, 8)}`;
    await max.page.goto(`${base}/models`);
    await max.page.getByLabel('Name').fill(name);
    await max.page.getByLabel('Base model').fill('meta-llama/Llama-3.1-8B-Instruct');
    const added = await submit(max.page, max.page.getByRole('button', { name: 'Add model' }), '/models');
    assert.equal(added.status(), 303);
    await max.page.getByRole('cell', { name, exact: true }).waitFor();

    const mia = await signIn('acme', MIA);
    await mia.page.goto(`${base}/models`);
    const row = mia.page.getByRole('row').filter({ hasText: name });
    await row.waitFor();
    assert.match(await row.textContent(), /meta-llama\/Llama-3\.1-8B-Instruct/);
    await screenshot(mia.page, 'ws-models-shared');

    const { token } = await apiToken(mia, 'models-list');
    const r = await fetch(`${base}/v1/models`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200);
    const list = await r.json();
    assert.equal(list.object, 'list');
    const entry = list.data.find((m) => m.id === name);
    assert.ok(entry, JSON.stringify(list));
    assert.equal(entry.object, 'model');
    assert.equal(typeof entry.owned_by, 'string');

    await mia.page.getByLabel('Name').fill(name);
    await mia.page.getByLabel('Base model').fill('mistralai/Mistral-7B-Instruct-v0.3');
    const dup = await submit(mia.page, mia.page.getByRole('button', { name: 'Add model' }), '/models');
    assert.equal(dup.status(), 409);
    const alert = mia.page.getByRole('alert');
    await alert.waitFor();
    assert.ok((await alert.textContent()).trim().length > 0);
    await screenshot(mia.page, 'ws-models-duplicate-409');
    assert.equal((await getJson(mia.page, '/api/v1/models')).models.filter((m) => m.name === name).length, 1);
  });

  test('usage reported by the gateway shows in billing', async () => {
    const max = await signIn('acme', MAX);
    const ada = await signIn('acme', ADA);
    const day = today();
    // Other tests may report usage too: compare with the total before.
    const baseline = (await getJson(ada.page, `/api/v1/billing/usage?from=${day}&to=${day}`)).total;
    const tok = await apiToken(max, 'gateway-usage');
    const at = `${new Date().toISOString().slice(0, 19)}Z`;
    const run = randomUUID().slice(0, 8);
    const e1 = { id: `${run}-1`, token_id: tok.id, model: 'llama-usage', input_tokens: 1200, output_tokens: 300, cost_usd: 0.25, at };
    const e2 = { id: `${run}-2`, token_id: tok.id, model: 'llama-usage', input_tokens: 800, output_tokens: 200, cost_usd: 1.5, at };
    const report = (events, key = INTERNAL_KEY) => fetch(`${base}/internal/usage`, {
      method: 'POST', headers: { Authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }),
    });
    assert.equal((await report([e1], 'wrong-key')).status, 401);
    assert.equal((await report([e1, e2])).status, 202);
    assert.equal((await report([e1])).status, 202, 'a resent event is accepted'); // and must not count twice

    const usage = await getJson(ada.page, `/api/v1/billing/usage?from=${day}&to=${day}`);
    assert.equal(usage.currency, 'USD');
    assert.ok(Math.abs(usage.total - baseline - 1.75) < 1e-9, `total ${usage.total} - ${baseline}, want +1.75 (each event once)`);
    const byToken = usage.by_token.find((r) => r.token_id === tok.id);
    assert.ok(byToken, JSON.stringify(usage.by_token));
    assert.equal(byToken.requests, 2);
    assert.equal(byToken.input_tokens, 2000);

    await ada.page.goto(`${base}/billing?from=${day}&to=${day}`);
    await ada.page.getByText(`Total ${day} to ${day}`).waitFor();
    const tokenRow = ada.page.getByRole('row').filter({ hasText: 'gateway-usage' });
    await tokenRow.waitFor();
    assert.match(await tokenRow.textContent(), /\$1\.75/, 'the by-token row, named after the token, shows $1.75');
    await screenshot(ada.page, 'ws-billing-usage');
    const csv = await ada.page.request.get(`${base}/billing.csv?from=${day}&to=${day}`);
    assert.equal(csv.status(), 200);
    assert.ok((await csv.text()).split('\r\n').includes(`${day},llama-usage,${byToken.token_id},2000,500,1.750000`),
      'the CSV has one row for the day, model and token');
  });

  test('a batch that repeats an event id counts it once', async () => {
    const max = await signIn('acme', MAX);
    const tok = await apiToken(max, 'gateway-dup-batch');
    const at = `${new Date().toISOString().slice(0, 19)}Z`;
    const e = { id: `dup-${randomUUID()}`, token_id: tok.id, model: 'llama-dup', input_tokens: 10, output_tokens: 5, cost_usd: 0.5, at };
    const r = await fetch(`${base}/internal/usage`, {
      method: 'POST', headers: { Authorization: `Bearer ${INTERNAL_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [e, e] }),
    });
    assert.equal(r.status, 202, await r.text());
    const ada = await signIn('acme', ADA);
    const day = today();
    const usage = await getJson(ada.page, `/api/v1/billing/usage?from=${day}&to=${day}`);
    const row = usage.by_token.find((t) => t.token_id === tok.id);
    assert.ok(row, JSON.stringify(usage.by_token));
    assert.equal(row.requests, 1);
    assert.ok(Math.abs(row.cost_usd - 0.5) < 1e-9, `cost ${row.cost_usd}, want 0.5`);
  });

  test('personal workspace', async () => {
    // A is signed in and holds a token from while the team was still shared,
    // already checked once by the gateway (so possibly cached with the old mode).
    const a = await signIn('solo', MAX);
    assert.equal(a.me.team.workspace, 'shared');
    const early = await apiToken(a, 'before-switch');
    const before = await authz(early.token);
    assert.equal(before.status, 204);
    assert.equal(before.headers.get('x-user-id'), null);

    const upd = await gh.cli(['team', 'update', 'solo', '--workspace', 'personal']);
    assert.equal(upd.code, 0, upd.stderr);
    await new Promise((r) => setTimeout(r, 1500)); // SPEC.md §2: reaches a running server within one second

    assert.equal((await getJson(a.page, '/api/v1/me')).team.workspace, 'personal', "A's existing session follows");
    const after = await authz(early.token);
    assert.equal(after.status, 204);
    assert.equal(after.headers.get('x-user-id'), a.me.user.id, 'a token checked before the switch gets X-User-Id after it');
    const b = await signIn('solo', MIA);
    assert.equal(b.me.team.workspace, 'personal');

    await a.page.goto(`${base}/tokens`);
    await a.page.getByLabel('Name').fill('mine');
    const created = await submit(a.page, a.page.getByRole('button', { name: 'Create token' }), '/tokens');
    assert.equal(created.status(), 201);
    const secret = await a.page.locator('#new-token').inputValue();
    const tokenId = (await getJson(a.page, '/api/v1/tokens')).tokens.find((t) => t.name === 'mine').id;

    await b.page.goto(`${base}/tokens`);
    await b.page.getByRole('heading', { name: 'API tokens' }).waitFor();
    assert.equal(await b.page.getByRole('row').filter({ hasText: 'mine' }).count(), 0, "B does not see A's token");
    await screenshot(b.page, 'ws-personal-tokens-other');
    const bTokens = (await getJson(b.page, '/api/v1/tokens')).tokens;
    assert.equal(bTokens.some((t) => t.id === tokenId || t.id === early.id), false, "B's API list has none of A's tokens");
    const del = await b.page.request.delete(`${base}/api/v1/tokens/${tokenId}`, { headers: { 'X-CSRF-Token': b.me.csrf_token } });
    assert.ok([403, 404].includes(del.status()), `B cannot revoke A's token: ${del.status()}`);

    const ok = await authz(secret);
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('x-team-id'), 'solo');
    assert.equal(ok.headers.get('x-token-id'), tokenId);
    assert.equal(ok.headers.get('x-user-id'), a.me.user.id);

    // SPEC.md §4: admins still see billing for the whole team.
    const ada = await signIn('solo', ADA);
    const day = today();
    const at = `${new Date().toISOString().slice(0, 19)}Z`;
    const r = await fetch(`${base}/internal/usage`, {
      method: 'POST', headers: { Authorization: `Bearer ${INTERNAL_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ token_id: tokenId, model: 'solo-model', input_tokens: 1, output_tokens: 1, cost_usd: 0.125, at }] }),
    });
    assert.equal(r.status, 202, await r.text());
    const usage = await getJson(ada.page, `/api/v1/billing/usage?from=${day}&to=${day}`);
    assert.ok(usage.by_token.some((t) => t.token_id === tokenId), "the admin sees usage of a member's personal token");
  });
});
