/*
 * `clawback config show|path`: print the effective settings (the settings file
 * with defaults, the repository a command would use and the OpenClaw state dir
 * it would back up) as YAML or one JSON object, or say which settings file
 * would be read. Reads only; prints no environment (nothing secret).
 */
import { existsSync } from 'node:fs';
import { locateSettings, settingsDocument, settingsToYaml } from '../openclaw/settings.js';
import { describeLocation, resolveStateDir } from '../openclaw/state-dir.js';
import { parseCommandArgs, UsageError, type CliContext, type Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { describeRepoSource, repoArgs } from './repo-arg.js';
import { cliHost, CONFIG_HELP, CONFIG_OPTION } from './settings-arg.js';

const OPTIONS = {
  ...CONFIG_OPTION,
  repo: { type: 'string', short: 'r' },
} as const;

const HELP = `Usage: clawback config [show|path] [OPTIONS]

  show    print the effective settings as YAML (one JSON object with --json):
          the settings file's values with the defaults filled in, the
          repository commands would use and where that came from, and the
          OpenClaw state dir a backup takes (the default action)
  path    print the settings file that would be read (or, when there is none,
          where the default one goes) and say whether it exists

The settings file is --config FILE, else $CLAWBACK_CONFIG, else config.yaml in
the platform's config dir ($XDG_CONFIG_HOME/clawback or ~/.config/clawback on
Linux, ~/Library/Application Support/clawback on macOS, %APPDATA%\\clawback on
Windows) when it exists. Keys and an example: docs/configuration.md.

${CONFIG_HELP}
  -r, --repo=DIR          show this repository instead of the configured one
      --json              one JSON object on stdout
  -h, --help              show this help

Exit status: 0 success; 2 usage error; 3 the settings file is invalid (the
message names the line and key); 5 a file named by --config or
CLAWBACK_CONFIG does not exist (config show).`;

const SOURCE_TEXT = { option: 'from --config', CLAWBACK_CONFIG: 'from CLAWBACK_CONFIG', default: 'the default', none: 'none' } as const;

/** `clawback config show`. */
function show(values: { config?: string | undefined; repo?: string | undefined }, ctx: CliContext): number {
  const r = repoArgs(values, ctx, 'config');
  const loaded = r.settings;
  const oc = loaded.settings.openclaw;
  const state = resolveStateDir({
    host: r.host,
    ...(oc.stateDir !== undefined ? { stateDir: oc.stateDir } : {}),
    ...(oc.profile !== undefined ? { profile: oc.profile } : {}),
  });
  const repoExists = existsSync(r.dir);
  const doc = { ...settingsDocument(loaded.settings), repository: r.dir };
  if (ctx.out.json) {
    ctx.out.event({
      type: 'summary',
      command: 'config show',
      file: loaded.file ?? null,
      source: loaded.source,
      defaultFile: loaded.defaultFile,
      repository: { path: r.dir, source: r.source, exists: repoExists },
      stateDir: { path: state.stateDir, reason: state.reason },
      settings: doc,
    });
    return EXIT.OK;
  }
  const file = loaded.file === undefined ? `none (all defaults; the default file would be ${loaded.defaultFile})` : `${loaded.file} (${SOURCE_TEXT[loaded.source]})`;
  const created = repoExists ? '' : r.source === 'default' ? ', created on first use' : ', does not exist';
  ctx.out.text(`# settings file: ${file}`);
  ctx.out.text(`# repository: ${r.dir} (${describeRepoSource(r)}${created})`);
  ctx.out.text(`# OpenClaw state dir: ${state.stateDir} (${describeLocation(state)})`);
  ctx.out.text(settingsToYaml(doc).trimEnd());
  return EXIT.OK;
}

/** `clawback config path`. */
function path(values: { config?: string | undefined }, ctx: CliContext): number {
  if (values.config !== undefined && values.config.trim() === '') throw new UsageError('--config expects the path of a settings file, got ""', "run 'clawback config --help'");
  const loc = locateSettings({ host: cliHost(ctx), ...(values.config !== undefined ? { configFile: values.config } : {}) });
  const file = loc.file ?? loc.defaultFile;
  const exists = existsSync(file);
  if (ctx.out.json) {
    ctx.out.event({ type: 'summary', command: 'config path', file, source: loc.source, exists, defaultFile: loc.defaultFile });
    return EXIT.OK;
  }
  ctx.out.text(file);
  if (!exists) ctx.out.note(loc.source === 'none' ? 'clawback: no settings file there yet: the defaults apply' : `clawback: the settings file ${SOURCE_TEXT[loc.source]} does not exist`);
  return EXIT.OK;
}

/** `clawback config`. */
export const configCommand: Command = {
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, 'config');
    if (values.help) {
      ctx.io.stdout.write(HELP + '\n');
      return EXIT.OK;
    }
    const [action = 'show', extra] = positionals;
    if (extra !== undefined) throw new UsageError(`config takes one action (show or path), got ${positionals.length} arguments`, "run 'clawback config --help'");
    if (action === 'show') return show(values, ctx);
    if (action === 'path') {
      if (values.repo !== undefined) throw new UsageError('config path takes no --repo', "run 'clawback config --help'");
      return path(values, ctx);
    }
    throw new UsageError(`config expects show or path, got "${action}"`, "run 'clawback config --help'");
  },
};
