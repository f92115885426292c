/**
 * The fast YAML path (src/dialplan/load-fast.ts) is all or nothing: for any
 * input, loadDocuments (fast first) returns the same value and the same
 * diagnostics as the full `yaml` path, and positions come from the full path.
 * Checked on the shipped config, the fixtures, the bench plan, generated
 * documents in many styles, and random edits of the fixtures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { loadDocuments, loadDocumentsWithYaml } from '../../src/dialplan/load.ts';
import type { SourceDoc } from '../../src/dialplan/load.ts';
import { readFastYaml } from '../../src/dialplan/load-fast.ts';
import { SECTION_NAMES } from '../../src/dialplan/schema.ts';
import { CONFIG, FIXTURES, yamlFiles } from '../unit/dialplan/load-fixture.ts';
import { generatePlanYaml } from '../../bench/dialplan.bench.ts';

function same(docs: readonly SourceDoc[]): void {
  const fast = loadDocuments(docs);
  const full = loadDocumentsWithYaml(docs);
  assert.deepEqual(fast.diagnostics, full.diagnostics, docs.map((d) => d.text).join('\n---\n'));
  assert.deepEqual(fast.value, full.value, docs.map((d) => d.text).join('\n---\n'));
}

const files = (dir: string): SourceDoc[] => yamlFiles(dir).map((f) => ({ file: f, text: readFileSync(dir + f, 'utf8') }));
const good = [...files(CONFIG), ...files(`${FIXTURES}good/`)];
const bad = files(`${FIXTURES}bad/`);

test('the shipped config, the good fixtures and the bench plan take the fast path', () => {
  for (const d of good) assert.notEqual(readFastYaml(d.text), undefined, d.file);
  assert.notEqual(readFastYaml(generatePlanYaml()), undefined);
});

test('fast and full loads agree on the config, every fixture and the bench plan', () => {
  same(files(CONFIG));
  for (const d of [...good, ...bad]) same([d]);
  same([{ file: 'bench.yaml', text: generatePlanYaml() }]);
});

test('the fast path leaves `__proto__` keys (a prototype in a plain object) to the full path', () => {
  assert.equal(readFastYaml('users:\n  __proto__: { name: x }\n'), undefined);
  assert.equal(readFastYaml('users: { "__proto__": 1 }\n'), undefined);
});

test('positions of a diagnostic after a fast load are those of the full load', () => {
  const docs = files(CONFIG);
  const fast = loadDocuments(docs);
  const full = loadDocumentsWithYaml(docs);
  for (const path of [['users', '1001', 'forward', 'busy'], ['holidays', 'nl_public', 3], ['outbound', 1, 'trunks'], ['numbers']]) {
    assert.deepEqual(fast.locate(path), full.locate(path));
    assert.deepEqual(fast.locate(path, true), full.locate(path, true));
  }
});

// ---- generated documents ------------------------------------------------------

const TEXTS = [
  'a', 'Anna de Vries', 'user:1001', 'voicemail:general', '08:30-12:30', '0800', '+31201234567', '25', '-5', '0', '007',
  'true', 'False', 'TRUE', 'yes', 'null', 'Null', '~', '1.5', '1e3', '.5', '0x1F', '0o17', '.inf', '-.Inf', '.nan',
  'a: b', 'a:', 'a #b', 'a#b', "it's", 'x, y', '[a]', '{a}', 'a]', 'a}', '- a', '-a', ':a', '?a', '*a', '&a', '!a', '|', '>',
  '@a', '`a', '%a', '<<', 'ä ö', 'a\\b', 'say "hi"', '', ' ', '#', 'a  ', 'Oudejaarsdag (tot 12 uur open)',
];

type Scalar = { readonly kind: 'scalar'; readonly text: string; readonly style: 'plain' | 'double' | 'single' };
type Node =
  | Scalar
  | { readonly kind: 'map'; readonly flow: boolean; readonly entries: readonly (readonly [Scalar, Node])[] }
  | { readonly kind: 'seq'; readonly flow: boolean; readonly sameIndent: boolean; readonly items: readonly Node[] };

const scalarArb: fc.Arbitrary<Scalar> = fc.record({
  kind: fc.constant('scalar' as const),
  text: fc.constantFrom(...TEXTS),
  style: fc.constantFrom('plain' as const, 'plain' as const, 'double' as const, 'single' as const),
});
const keyArb: fc.Arbitrary<Scalar> = fc.record({
  kind: fc.constant('scalar' as const),
  text: fc.constantFrom('a', 'b', 'name', '1001', '0800', '+31201234567', 'x y', 'true', '~', '1.5', 'a:b', '<<', 'k#', 'users'),
  style: fc.constantFrom('plain' as const, 'plain' as const, 'double' as const, 'single' as const),
});

const { node } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarArb,
    fc.record({ kind: fc.constant('map' as const), flow: fc.boolean(), entries: fc.array(fc.tuple(keyArb, tie('node')), { maxLength: 4 }) }),
    fc.record({ kind: fc.constant('seq' as const), flow: fc.boolean(), sameIndent: fc.boolean(), items: fc.array(tie('node'), { maxLength: 4 }) }),
  ),
}));

function scalar(s: Scalar): string {
  if (s.style === 'double') return `"${s.text}"`;
  if (s.style === 'single') return `'${s.text.replace(/'/g, "''")}'`;
  return s.text;
}

function flow(n: Node): string {
  if (n.kind === 'scalar') return scalar(n);
  if (n.kind === 'map') return `{ ${n.entries.map(([k, v]) => `${scalar(k)}: ${flow(v)}`).join(', ')} }`;
  return `[${n.items.map(flow).join(', ')}]`;
}

const inline = (n: Node): boolean => n.kind === 'scalar' || n.flow || (n.kind === 'map' ? n.entries.length === 0 : n.items.length === 0);

/** Lines of a block node at `indent`; `comment` adds trailing comments and blank lines. */
function block(n: Node, indent: number, step: number, comment: boolean): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  if (n.kind === 'map') {
    for (const [k, v] of n.entries) {
      if (inline(v)) out.push(`${pad}${scalar(k)}: ${flow(v)}${comment ? ' # note' : ''}`);
      else {
        out.push(`${pad}${scalar(k)}:${comment ? '   # section' : ''}`);
        if (comment) out.push('');
        out.push(...block(v, v.kind === 'seq' && v.sameIndent ? indent : indent + step, step, comment));
      }
    }
  } else if (n.kind === 'seq') {
    for (const v of n.items) {
      if (inline(v)) out.push(`${pad}- ${flow(v)}`);
      else {
        const inner = block(v, indent + 2, step, comment);
        // `- key: value` compact form: the first line of a map moves up next to the dash.
        if (v.kind === 'map' && inner[0] !== undefined) out.push(`${pad}- ${inner[0].trimStart()}`, ...inner.slice(1));
        else out.push(`${pad}-`, ...inner);
      }
    }
  } else out.push(`${pad}${scalar(n)}`);
  return out;
}

const docArb = fc.record({
  sections: fc.array(fc.tuple(fc.constantFrom(...SECTION_NAMES, 'userz', 'users'), node), { maxLength: 4 }),
  step: fc.integer({ min: 1, max: 4 }),
  comment: fc.boolean(),
});

function render(d: { sections: readonly (readonly [string, Node])[]; step: number; comment: boolean }): string {
  const lines: string[] = d.comment ? ['# generated'] : [];
  for (const [name, v] of d.sections) {
    if (inline(v)) lines.push(`${name}: ${flow(v)}`);
    else lines.push(`${name}:`, ...block(v, v.kind === 'seq' && (v.sameIndent) ? 0 : d.step, d.step, d.comment));
  }
  return lines.join('\n');
}

test('fast and full loads agree on generated documents (block, flow, compact, quoted, tricky scalars)', () => {
  fc.assert(
    fc.property(docArb, docArb, (a, b) => {
      same([{ file: 'a.yaml', text: render(a) }]);
      same([{ file: 'a.yaml', text: render(a) }, { file: 'b.yaml', text: render(b) }]);
    }),
    { numRuns: 400 },
  );
});

test('fast and full loads agree on random edits of the fixtures', () => {
  const texts = [...good, ...bad].map((d) => d.text);
  const edit = fc.record({ at: fc.nat(), del: fc.nat({ max: 3 }), ins: fc.constantFrom('', ' ', '  ', ':', ': ', '-', '- ', '#', ' #', '"', "'", '\n', '\n  ', '{', '}', '[', ']', ',', 'a', '0', '+', '\t', '~', '*', '&a ', '|', '\u00a0', '\x07', '\r\n') });
  fc.assert(
    fc.property(fc.nat({ max: texts.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 3 }), (i, edits) => {
      let t = texts[i] ?? '';
      for (const e of edits) {
        const at = e.at % (t.length + 1);
        t = t.slice(0, at) + e.ins + t.slice(at + e.del);
      }
      same([{ file: 'edited.yaml', text: t }]);
    }),
    { numRuns: 500 },
  );
});
