#!/usr/bin/env node
// React's development reconciler is several times slower; the dashboard runs the production one.
process.env['NODE_ENV'] ??= 'production';
const {main} = await import('../src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
