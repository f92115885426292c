/** Stable codes of settings-file diagnostics (STYLE G6). */
export const SETTINGS_ERROR_CODES = {
  CONFIG_DIR_MISSING: 'the --config folder does not exist',
  CONFIG_YAML_SYNTAX: 'belfry.yaml is not valid YAML (the yaml parser\'s own code follows)',
  CONFIG_SETTINGS_INVALID: 'a settings value has the wrong type or range, or a key is unknown',
} as const;
