#!/usr/bin/env node
// Entry for `npx ldapsync`: npm puts the project's own Node 24 first on PATH.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`ldapsync needs Node.js 24 (this is ${process.version}); run it through npm: npx ldapsync ...`);
  process.exit(2);
}
await import('../src/main.ts');
