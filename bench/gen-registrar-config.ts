/**
 * Writes the registrar bench's inputs: a copy of bench/config/registrar/ with
 * dialplan/users.yaml holding N users (extensions 1000001…, belfry's
 * extensions are digits), each with `ha1: MD5(user:realm:password)` instead
 * of the password, as a deployment would store them; and the SIPp injection
 * file users.csv in the peer kit's format (`user;domain;[authentication
 * username=U password=P]`, see its gen-users.py, whose password formula we
 * reuse so both servers get the same kind of credentials).
 *
 *   node --import tsx bench/gen-registrar-config.ts N REALM OUT_DIR
 *   → OUT_DIR/config/… and OUT_DIR/users.csv; prints one JSON line.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [nText, realm, out] = process.argv.slice(2);
const n = Number(nText);
if (!Number.isInteger(n) || n < 1 || !realm || !out) {
  process.stderr.write('usage: gen-registrar-config.ts N REALM OUT_DIR\n');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(out, { recursive: true });
const cfg = join(out, 'config');
cpSync(join(here, 'config', 'registrar'), cfg, { recursive: true });
const yaml: string[] = ['users:'];
const csv: string[] = ['SEQUENTIAL'];
for (let i = 1; i <= n; i++) {
  const user = String(1_000_000 + i);
  const pw = `pw${String((i * 7919) % 1_000_003).padStart(6, '0')}x`;
  const ha1 = createHash('md5').update(`${user}:${realm}:${pw}`).digest('hex');
  yaml.push(`  "${user}": { name: Bench ${i}, ha1: ${ha1} }`);
  csv.push(`${user};${realm};[authentication username=${user} password=${pw}]`);
}
writeFileSync(join(cfg, 'dialplan', 'users.yaml'), yaml.join('\n') + '\n');
writeFileSync(join(out, 'users.csv'), csv.join('\n') + '\n');
process.stdout.write(JSON.stringify({ users: n, realm, config: cfg, csv: join(out, 'users.csv') }) + '\n');
