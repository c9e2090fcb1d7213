#!/usr/bin/env node
'use strict';
// `npx agentry …` inside the workspace: run the TypeScript sources through tsx, no build step.
const path = require('node:path');
const { register } = require('tsx/cjs/api');

register();
require(path.join(__dirname, '..', 'src', 'main.ts'));
