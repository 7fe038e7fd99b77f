#!/usr/bin/env node
// Rewrites README.md's configuration table from the settings list (core/config.ts).
import fs from 'node:fs';
import { configTable } from '../dist/core/config-doc.js';

const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const start = readme.indexOf('| Variable | Default | What it does |');
const end = readme.indexOf('\n\n', start);
fs.writeFileSync(new URL('../README.md', import.meta.url), readme.slice(0, start) + configTable() + readme.slice(end));
