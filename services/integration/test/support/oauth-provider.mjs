// oauth2-mock-server (ESM only) in a child process: tests talk to it over a real socket and steer it over IPC.
// Messages in: {cmd: 'stats'} | {cmd: 'failRefresh', value: boolean} | {cmd: 'expiresIn', value: number}
// Messages out: {ready: true, url} | {stats: {authorizationCode, refresh, revoke}}
import { OAuth2Server } from 'oauth2-mock-server';

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
const stats = { authorizationCode: 0, refresh: 0, revoke: 0 };
let failRefresh = false;
let expiresIn = 3600;

server.service.on('beforeResponse', (response, req) => {
  const grant = req.body?.grant_type;
  if (grant === 'authorization_code') stats.authorizationCode++;
  if (grant === 'refresh_token') {
    stats.refresh++;
    if (failRefresh) {
      response.statusCode = 400;
      response.body = { error: 'invalid_grant', error_description: 'the refresh token was revoked' };
      return;
    }
  }
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
  if (msg.cmd === 'stop') server.stop().then(() => process.exit(0));
});
process.on('disconnect', () => server.stop().then(() => process.exit(0)));
process.send({ ready: true, url: server.issuer.url });
