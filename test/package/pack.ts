// Packs the package as a fresh clone would: the files git tracks (and untracked ones it does not
// ignore, so uncommitted work is tested too) copied into an empty folder without dist/ or build/,
// then `npm pack`, whose `prepare` script must build everything that ships.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface PackedTarball {
  path: string;
  bytes: number;
  files: string[];
}

/** The environment for npm run from inside `npm test`, without the outer run's npm_* settings. */
export function npmEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key)) env[key] = value;
  }
  return env;
}

export function packCleanCopy(repo: string, workDir: string): PackedTarball {
  const copy = join(workDir, 'clean-copy');
  mkdirSync(copy, { recursive: true });
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' });
  for (const file of listed.split('\0')) {
    // a tracked file deleted in the working tree is not part of the copy
    if (!file || !existsSync(join(repo, file)) || !statSync(join(repo, file)).isFile()) continue;
    if (/^(dist|build)\//.test(file)) throw new Error(`${file} is tracked: build output must not be committed`);
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    copyFileSync(join(repo, file), join(copy, file));
  }
  // The build tools (assemblyscript, typescript) are the repo's devDependencies, as `npm ci` installs them.
  symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const out = join(workDir, 'tarball');
  mkdirSync(out, { recursive: true });
  execFileSync('npm', ['pack', '--pack-destination', out, '--loglevel', 'error'], { cwd: copy, env: npmEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
  const found = readdirSync(out).filter((name) => name.endsWith('.tgz'));
  if (found.length !== 1) throw new Error(`npm pack left ${found.length} tarballs in ${out}`);
  const path = join(out, found[0]);
  const files = execFileSync('tar', ['-tzf', path], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''));
  return { path, bytes: statSync(path).size, files };
}
