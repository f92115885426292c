/* Import directions from ../shared/STYLE.md (module map). Enforced in `npm test`. */
const mod = (m) => `^src/${m}/`;
const onlyIndex = (m) => `^src/${m}/(?!index\\.ts$)`;
module.exports = {
  forbidden: [
    { name: 'common-is-leaf', severity: 'error', from: { path: mod('common') }, to: { path: '^src/(?!common/)' } },
    { name: 'dialplan-pure', severity: 'error', from: { path: mod('dialplan') }, to: { path: '^src/(?!common/|dialplan/)' } },
    { name: 'dialplan-no-io', severity: 'error', from: { path: mod('dialplan') }, to: { path: '^(fs|node:fs|net|node:net|dgram|node:dgram|better-sqlite3)$', dependencyTypesNot: ['type-only'] } },
    { name: 'sip-only-common', severity: 'error', from: { path: mod('sip') }, to: { path: '^src/(?!common/|sip/)' } },
    { name: 'rtp-only-common', severity: 'error', from: { path: mod('rtp') }, to: { path: '^src/(?!common/|rtp/)' } },
    { name: 'settings-only-common', severity: 'error', from: { path: mod('settings') }, to: { path: '^src/(?!common/|settings/)' } },
    { name: 'store-only-common', severity: 'error', from: { path: mod('store') }, to: { path: '^src/(?!common/|store/)' } },
    { name: 'media-rtp-common', severity: 'error', from: { path: mod('media') }, to: { path: '^src/(?!common/|rtp/|media/)' } },
    { name: 'ivr-dialplan-types', severity: 'error', from: { path: mod('ivr') }, to: { path: '^src/(?!common/|ivr/|dialplan/)' } },
    { name: 'ivr-dialplan-types-only', severity: 'error', from: { path: mod('ivr') }, to: { path: mod('dialplan'), dependencyTypesNot: ['type-only'] } },
    { name: 'engine-not-api', severity: 'error', from: { path: mod('engine') }, to: { path: '^src/(api/|main\\.ts)' } },
    { name: 'api-narrow', severity: 'error', from: { path: mod('api') }, to: { path: '^src/(?!common/|api/|engine/|store/)' } },
    { name: 'nothing-imports-main', severity: 'error', from: {}, to: { path: '^src/main\\.ts$' } },
    /* G8: other folders import a module only through its index.ts. */
    ...['common', 'settings', 'sip', 'rtp', 'media', 'dialplan', 'ivr', 'store', 'engine'].map((m) => ({
      name: `${m}-through-index`, severity: 'error',
      from: { path: '^src/', pathNot: mod(m) },
      to: { path: onlyIndex(m) },
    })),
    { name: 'no-circular-across-modules', severity: 'warn', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
