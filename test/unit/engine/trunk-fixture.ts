/** A small compiled plan with trunks for the trunk directory and manager unit tests. */
import { compileDialplan, type Plan } from '../../../src/dialplan/index.ts';

export function trunkPlan(trunks: string): Plan {
  const r = compileDialplan([
    {
      file: 'plan.yaml',
      text: `settings:
  time_zone: Europe/Amsterdam
  default_country: NL
users:
  "2001": { name: A, password: pw-2001-long }
trunks:
${trunks}
numbers:
  "+31201234567": user:2001
outbound:
  - name: national
    prefixes: ["0"]
    trunks: [carrier]
`,
    },
  ]);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return r.plan;
}

export const local = () => ({ address: '192.0.2.1', port: 5060 });
