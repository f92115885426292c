/**
 * Builds docs/errors.md: every stable error code of every module, gathered
 * from the `| code | meaning |` tables in the module docs (docs/*.md), plus
 * codes whose registries carry their own meaning (settings, API). A test
 * (test/unit/docs/errors-doc.test.ts) fails when a registered code is missing.
 * Run: node --import tsx scripts/gen-error-docs.ts
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS_ERROR_CODES } from '../src/settings/index.ts';
import { API_ERROR_CODES } from '../src/api/index.ts';

const docs = join(import.meta.dirname, '..', 'docs');
const rows = new Map<string, { meaning: string; source: string }>();
for (const f of readdirSync(docs).sort()) {
  if (!f.endsWith('.md') || f === 'errors.md') continue;
  for (const line of readFileSync(join(docs, f), 'utf8').split('\n')) {
    const m = /^\|\s*`?([A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+)`?\s*\|(.*)\|\s*$/.exec(line);
    if (!m?.[1]) continue;
    const meaning = (m[2] ?? '').split('|').map((s) => s.trim()).filter(Boolean).join(' — ');
    if (!rows.has(m[1])) rows.set(m[1], { meaning, source: f });
  }
}
for (const [code, meaning] of Object.entries({ ...SETTINGS_ERROR_CODES, ...API_ERROR_CODES })) {
  if (!rows.has(code)) rows.set(code, { meaning, source: code.startsWith('API_') ? 'README.md' : 'README.md' });
}
const byPrefix = new Map<string, string[]>();
for (const code of [...rows.keys()].sort()) {
  const prefix = code.split('_')[0] ?? code;
  const list = byPrefix.get(prefix) ?? [];
  list.push(code);
  byPrefix.set(prefix, list);
}
let out = `# Error codes

Every stable error code belfry uses (STYLE G6), by module. Generated from the
module documents by \`node --import tsx scripts/gen-error-docs.ts\`;
\`test/unit/docs/errors-doc.test.ts\` fails when a code registered in
\`src/**/errors.ts\` is missing here.

`;
for (const [prefix, codes] of byPrefix) {
  out += `## ${prefix}\n\n| code | meaning | details in |\n|---|---|---|\n`;
  for (const c of codes) {
    const r = rows.get(c);
    out += `| \`${c}\` | ${(r?.meaning ?? '').replace(/\n/g, ' ')} | [${r?.source}](${r?.source}) |\n`;
  }
  out += '\n';
}
writeFileSync(join(docs, 'errors.md'), out);
process.stdout.write(`docs/errors.md: ${rows.size} codes\n`);
