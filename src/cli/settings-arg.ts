/*
 * The settings file as the CLI sees it: the host facts taken from the
 * command's io (so tests pass their own env and home), --config FILE, and the
 * settings read once per command run (cached per CliContext) with errors
 * turned into one-line reports that say what to fix.
 */
import os from 'node:os';
import { isClawbackError } from '../core/errors.js';
import type { HostInfo } from '../openclaw/platform-dirs.js';
import { loadSettingsSync, type LoadedSettings } from '../openclaw/settings.js';
import { HintedError, UsageError, type CliContext } from './command.js';

/** The --config option (part of REPO_OPTIONS; `clawback config` has it too). */
export const CONFIG_OPTION = { config: { type: 'string' } } as const;

/** Help lines for --config. */
export const CONFIG_HELP = `      --config=FILE       the settings file (default: $CLAWBACK_CONFIG, else
                          config.yaml in the platform's config dir if it exists;
                          see 'clawback config path'); an invalid one: exit 3`;

/**
 * The host the command runs on: this platform and OS home, with the env of the command's io.
 * @throws never
 * @example defaultRepositoryDir(cliHost(ctx))
 */
export function cliHost(ctx: CliContext): HostInfo {
  return { platform: process.platform, env: ctx.io.env, homedir: os.homedir() };
}

const cache = new WeakMap<CliContext, Map<string, LoadedSettings>>();

/**
 * The settings for this command run: --config FILE, else $CLAWBACK_CONFIG, else
 * the platform default if it exists, else the defaults. Read once per context.
 * @throws HintedError NOT_FOUND when a named file does not exist, CONFIG (exit 3) naming file, line and key when it is invalid
 * @example const { settings } = loadCliSettings(values, ctx);
 */
export function loadCliSettings(values: { config?: string | undefined }, ctx: CliContext): LoadedSettings {
  const key = values.config ?? '\0';
  let perCtx = cache.get(ctx);
  const hit = perCtx?.get(key);
  if (hit) return hit;
  if (values.config !== undefined && values.config.trim() === '') throw new UsageError('--config expects the path of a settings file, got ""');
  let loaded: LoadedSettings;
  try {
    loaded = loadSettingsSync({ host: cliHost(ctx), ...(values.config !== undefined ? { configFile: values.config } : {}) });
  } catch (e) {
    if (isClawbackError(e, 'NOT_FOUND')) throw new HintedError('NOT_FOUND', e.message, 'check the path given to --config or CLAWBACK_CONFIG', { cause: e });
    if (isClawbackError(e, 'CONFIG')) throw new HintedError('CONFIG', e.message, 'fix that line of the settings file (docs/configuration.md lists every key)', { cause: e });
    throw e;
  }
  if (!perCtx) cache.set(ctx, (perCtx = new Map()));
  perCtx.set(key, loaded);
  return loaded;
}
