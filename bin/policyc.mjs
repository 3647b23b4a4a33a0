#!/usr/bin/env node
// The policyc command. `npm install` / `npm ci` build dist/ (the `prepare` script).
import { main } from '../dist/compiler/cli.js';

process.exitCode = await main(process.argv.slice(2));
