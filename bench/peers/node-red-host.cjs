// Node-RED embedded in a plain Node script (no editor, no admin API): `node node-red-host.cjs <install dir> <port> <user dir>`.
// The flows are read from <user dir>/flows.json. Prints "ready" once the flows have started.
const path = require('node:path');
const http = require('node:http');
const { createRequire } = require('node:module');

const [installDir, port, userDir] = process.argv.slice(2);
const req = createRequire(path.resolve(installDir, 'package.json'));
const RED = req('node-red');
const express = req('express');

const app = express();
const server = http.createServer(app);
RED.init(server, {
  httpAdminRoot: false,
  httpNodeRoot: '/',
  userDir,
  flowFile: 'flows.json',
  credentialSecret: false,
  disableEditor: true,
  externalModules: { autoInstall: false },
  logging: { console: { level: 'warn', metrics: false, audit: false } },
  functionGlobalContext: {},
});
app.use('/', RED.httpNode);
RED.events.on('flows:started', () => console.log('ready'));
server.listen(Number(port), '127.0.0.1', () => {
  RED.start().catch((err) => {
    console.error('node-red failed to start', err);
    process.exit(1);
  });
});
const stop = () => RED.stop().then(() => process.exit(0), () => process.exit(1));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
