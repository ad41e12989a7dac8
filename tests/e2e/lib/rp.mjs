// A throwaway OpenID Connect relying party for testing the IdP itself (not a
// model of gatehouse). GET /start begins a code+PKCE flow; GET /sso/callback
// finishes it: checks state and iss, exchanges the code with client_secret_basic,
// verifies the ID token's RS256 signature against the JWKS, and calls UserInfo.
// Each finished attempt is pushed to rp.results.

import { createServer } from 'node:http';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';

const b64u = (buf) => Buffer.from(buf).toString('base64url');

export function decodeJwt(jwt) {
  const [h, p] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url')), payload: JSON.parse(Buffer.from(p, 'base64url')) };
}

/** Starts the RP on 127.0.0.1:port; resolves { url, redirectUri, results, stop() }. */
export async function startTestRp({ issuer, clientId, clientSecret, port, scope = 'openid email profile' }) {
  const meta = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  const attempts = new Map();
  const results = [];
  const base = `http://127.0.0.1:${port}`;
  const redirectUri = `${base}/sso/callback`;
  const html = (res, status, body) => { res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }); res.end(`<!DOCTYPE html><title>test rp</title><body>${body}</body>`); };

  async function callback(url, res) {
    const q = url.searchParams;
    const a = attempts.get(q.get('state'));
    attempts.delete(q.get('state'));
    if (!a) return html(res, 400, '<h1>unknown state</h1>');
    if (q.get('error')) { results.push({ error: q.get('error') }); return html(res, 403, `<h1>error ${q.get('error')}</h1>`); }
    const result = { iss: q.get('iss') };
    if (q.get('iss') !== meta.issuer) { results.push({ error: 'iss mismatch', ...result }); return html(res, 400, '<h1>iss mismatch</h1>'); }
    const tokenRes = await fetch(meta.token_endpoint, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: q.get('code'), redirect_uri: redirectUri, code_verifier: a.verifier }),
    });
    result.tokenStatus = tokenRes.status;
    result.tokens = await tokenRes.json();
    if (tokenRes.ok) {
      const { header, payload } = decodeJwt(result.tokens.id_token);
      const jwks = await (await fetch(meta.jwks_uri)).json();
      const jwk = jwks.keys.find((k) => k.kid === header.kid);
      const [h, p, s] = result.tokens.id_token.split('.');
      result.header = header;
      result.idToken = payload;
      result.signatureValid = Boolean(jwk) && header.alg === 'RS256'
        && verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url'));
      result.nonceMatches = payload.nonce === a.nonce;
      const ui = await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${result.tokens.access_token}` } });
      result.userinfo = ui.ok ? await ui.json() : { status: ui.status };
    }
    results.push(result);
    return html(res, 200, `<h1>Signed in</h1><p id="who">${result.idToken?.sub ?? ''}</p>`);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url, base);
    if (url.pathname === '/start') {
      const state = b64u(randomBytes(16));
      const nonce = b64u(randomBytes(16));
      const verifier = b64u(randomBytes(32));
      attempts.set(state, { nonce, verifier });
      const auth = new URL(meta.authorization_endpoint);
      auth.search = new URLSearchParams({
        response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope, state, nonce,
        code_challenge: b64u(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256',
        ...Object.fromEntries(url.searchParams),
      });
      res.writeHead(302, { location: auth.href });
      return res.end();
    }
    if (url.pathname === '/sso/callback') {
      return callback(url, res).catch((err) => { results.push({ error: err.message }); html(res, 500, `<pre>${err.message}</pre>`); });
    }
    return html(res, 404, 'not found');
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  return {
    url: base,
    redirectUri,
    results,
    meta,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
