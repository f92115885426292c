/**
 * Reads config/belfry.yaml (or the file in --config DIR) and applies the
 * command-line overrides. A missing file means "all defaults".
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseYamlWithSchema, type ConfigDiagnostic } from './yaml-diagnostics.ts';
import { settingsSchema, type Settings } from './settings-schema.ts';

export interface SettingsOverrides {
  readonly sipHost?: string;
  readonly sipPort?: number;
  readonly httpPort?: number;
  readonly dataDir?: string;
}

export interface LoadedSettings {
  readonly settings: Settings;
  readonly configDir: string;
  readonly file: string;
}

export function loadSettings(configDir: string, overrides: SettingsOverrides = {}): { ok: true; value: LoadedSettings } | { ok: false; diagnostics: ConfigDiagnostic[] } {
  const dir = resolve(configDir);
  const file = join(dir, 'belfry.yaml');
  if (!existsSync(dir)) {
    return { ok: false, diagnostics: [{ code: 'CONFIG_DIR_MISSING', file: dir, line: 1, col: 1, path: '', message: 'configuration folder does not exist (pass --config DIR)' }] };
  }
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const parsed = parseYamlWithSchema(file, text, settingsSchema, 'CONFIG_SETTINGS_INVALID');
  if (!parsed.ok) return parsed;
  const s = parsed.value;
  const settings: Settings = {
    ...s,
    sip: {
      ...s.sip,
      host: overrides.sipHost ?? s.sip.host,
      udp_port: overrides.sipPort ?? s.sip.udp_port,
      tcp_port: overrides.sipPort ?? s.sip.tcp_port,
    },
    http: { ...s.http, port: overrides.httpPort ?? s.http.port },
    data_dir: overrides.dataDir ?? s.data_dir,
  };
  return { ok: true, value: { settings, configDir: dir, file } };
}
