import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileDialplan, formatDiagnostic, DIALPLAN_ERROR_CODES } from '../../../src/dialplan/index.ts';
import { CONFIG, FIXTURES, yamlFiles } from './load-fixture.ts';

for (const f of yamlFiles(FIXTURES + 'good')) {
  test(`good fixture ${f} compiles with no errors`, () => {
    const r = compileDialplan([{ file: f, text: readFileSync(`${FIXTURES}good/${f}`, 'utf8') }]);
    assert.equal(r.ok, true, r.ok ? '' : r.diagnostics.map(formatDiagnostic).join('\n'));
  });
}

for (const f of yamlFiles(FIXTURES + 'bad')) {
  test(`bad fixture ${f} produces exactly its expected diagnostic`, () => {
    const text = readFileSync(`${FIXTURES}bad/${f}`, 'utf8');
    const m = /^# expect: (DIALPLAN_[A-Z0-9_]+) (\d+):(\d+)$/m.exec(text);
    assert.ok(m, `${f} needs a header line "# expect: CODE line:col"`);
    const [, code, line, col] = m;
    assert.ok((DIALPLAN_ERROR_CODES as readonly string[]).includes(code ?? ''), `${code} is a registered code`);
    const r = compileDialplan([{ file: f, text }]);
    assert.equal(r.ok, false, `${f} must not compile`);
    if (r.ok) return;
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.code} ${d.line}:${d.col}`),
      [`${code} ${line}:${col}`],
      r.diagnostics.map(formatDiagnostic).join('\n'),
    );
    const d = r.diagnostics[0];
    assert.ok(d && d.file === f && d.severity === 'error' && d.message.length > 10);
  });
}

test('the embedded default in config/dialplan compiles with no errors and no warnings', () => {
  const docs = yamlFiles(CONFIG).map((f) => ({ file: `config/dialplan/${f}`, text: readFileSync(CONFIG + f, 'utf8') }));
  assert.ok(docs.length >= 2);
  const r = compileDialplan(docs);
  assert.equal(r.ok, true, r.ok ? '' : r.diagnostics.map(formatDiagnostic).join('\n'));
  assert.deepEqual(r.warnings.map(formatDiagnostic), []);
});
