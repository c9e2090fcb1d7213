// oauth2-mock-server (ESM-only) in a child process: an OIDC issuer with an RS256 key. Over IPC:
// { cmd: 'token', claims, expiresIn } -> { token }; { cmd: 'stop' }.
import { OAuth2Server } from 'oauth2-mock-server';

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
await server.start(0, '127.0.0.1');
process.send({ ready: true, url: server.issuer.url });

process.on('message', async (m) => {
  if (m.cmd === 'token') {
    const token = await server.issuer.buildToken({
      expiresIn: m.expiresIn ?? 3600,
      scopesOrTransform: (_header, payload) => Object.assign(payload, m.claims),
    });
    process.send({ token });
  } else if (m.cmd === 'stop') {
    await server.stop();
    process.exit(0);
  }
});
