/**
 * The user's data and config directories for crawler-tui, per platform. Written out here rather
 * than taken from `env-paths` (only a dependency of `conf`, not of ours); `defaultConfigDir` must
 * stay the same as what `conf` computes with `projectName: 'crawler-tui', projectSuffix: ''`,
 * because the store passes it to `conf` as `cwd` and also reads the file there itself.
 */
import os from 'node:os';
import path from 'node:path';

/** The application's directory name under the user's data and config directories. */
export const APP_DIR_NAME = 'crawler-tui';

interface PlatformDirs {
  readonly data: string;
  readonly config: string;
}

function platformDirs(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): PlatformDirs {
  if (platform === 'win32') {
    const join = path.win32.join;
    const localAppData = env.LOCALAPPDATA || join(home, 'AppData', 'Local');
    const appData = env.APPDATA || join(home, 'AppData', 'Roaming');
    return {data: join(localAppData, APP_DIR_NAME, 'Data'), config: join(appData, APP_DIR_NAME, 'Config')};
  }
  const join = path.posix.join;
  if (platform === 'darwin') {
    const library = join(home, 'Library');
    return {data: join(library, 'Application Support', APP_DIR_NAME), config: join(library, 'Preferences', APP_DIR_NAME)};
  }
  // XDG base directories; the spec says to ignore a relative XDG_* value, but env-paths (and so
  // conf) uses it as given, and the config dir must match conf's, so both are used as given.
  const dataHome = env.XDG_DATA_HOME || join(home, '.local', 'share');
  const configHome = env.XDG_CONFIG_HOME || join(home, '.config');
  return {data: join(dataHome, APP_DIR_NAME), config: join(configHome, APP_DIR_NAME)};
}

/**
 * Where results, media and the embedded Redis's data live unless `dataDir` is set:
 * `$XDG_DATA_HOME/crawler-tui` or `~/.local/share/crawler-tui` on Linux,
 * `~/Library/Application Support/crawler-tui` on macOS, `%LOCALAPPDATA%\crawler-tui\Data` on Windows.
 *
 * The parameters exist for tests; callers normally pass nothing.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  return platformDirs(env, platform, home).data;
}

/**
 * The directory of the config file (`config.json`) unless `CRAWLER_CONFIG_DIR` is set:
 * `$XDG_CONFIG_HOME/crawler-tui` or `~/.config/crawler-tui` on Linux,
 * `~/Library/Preferences/crawler-tui` on macOS, `%APPDATA%\crawler-tui\Config` on Windows
 * (what `conf` uses for project `crawler-tui` without a suffix).
 */
export function defaultConfigDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  return platformDirs(env, platform, home).config;
}
