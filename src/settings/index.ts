export { settingsSchema, type Settings } from './settings-schema.ts';
export { loadSettings, type LoadedSettings, type SettingsOverrides } from './load-settings.ts';
export { parseYamlWithSchema, formatConfigDiagnostic, formatPath, type ConfigDiagnostic, type ParseOutcome } from './yaml-diagnostics.ts';
export { SETTINGS_ERROR_CODES } from './errors.ts';
