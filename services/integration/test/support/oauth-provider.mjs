// oauth2-mock-server (ESM only) in a child process: tests talk to it over a real socket and steer it over IPC.
// Messages in: {cmd: 'stats'} | {cmd: 'failRefresh', value: boolean} | {cmd: 'expiresIn', value: number}
//   | {cmd: 'denyScopes', value: string[]} (the "user" unticks these on the consent screen: they are not granted)
// Messages out: {ready: true, url} | {stats: {authorizationCode, refresh, revoke, lastRequestedScope}}
// Like a real provider, the token answer's `scope` is what was granted: the scopes asked for at /authorize, minus
// the denied ones; a refresh keeps the scopes of its grant.
import { URL } from 'node:url';
import { OAuth2Server } from 'oauth2-mock-server';

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
const stats = { authorizationCode: 0, refresh: 0, revoke: 0, lastRequestedScope: '' };
let failRefresh = false;
let expiresIn = 3600;
let denied = new Set();
const grantedByCode = new Map();
const grantedByRefreshToken = new Map();

server.service.on('beforeAuthorizeRedirect', (redirect, req) => {
  const requested = new URL(req.url, 'http://mock').searchParams.get('scope') ?? '';
  stats.lastRequestedScope = requested;
  const code = redirect.url.searchParams.get('code');
  if (code) grantedByCode.set(code, requested.split(/[ ,]+/).filter((s) => s && !denied.has(s)).join(' '));
});

server.service.on('beforeResponse', (response, req) => {
  const grant = req.body?.grant_type;
  if (grant === 'authorization_code') {
    stats.authorizationCode++;
    if (grantedByCode.has(req.body.code)) response.body.scope = grantedByCode.get(req.body.code);
  }
  if (grant === 'refresh_token') {
    stats.refresh++;
    if (failRefresh) {
      response.statusCode = 400;
      response.body = { error: 'invalid_grant', error_description: 'the refresh token was revoked' };
      return;
    }
    if (grantedByRefreshToken.has(req.body.refresh_token)) response.body.scope = grantedByRefreshToken.get(req.body.refresh_token);
  }
  if (response.body.refresh_token) grantedByRefreshToken.set(response.body.refresh_token, response.body.scope);
  response.body.expires_in = expiresIn;
});
server.service.on('beforeRevoke', () => {
  stats.revoke++;
});

await server.start(0, '127.0.0.1');
process.on('message', (msg) => {
  if (msg.cmd === 'stats') process.send({ stats: { ...stats } });
  if (msg.cmd === 'failRefresh') failRefresh = Boolean(msg.value);
  if (msg.cmd === 'expiresIn') expiresIn = Number(msg.value);
  if (msg.cmd === 'denyScopes') denied = new Set(msg.value);
  if (msg.cmd === 'stop') server.stop().then(() => process.exit(0));
});
process.on('disconnect', () => server.stop().then(() => process.exit(0)));
process.send({ ready: true, url: server.issuer.url });
