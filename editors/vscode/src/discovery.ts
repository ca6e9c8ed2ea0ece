// Where the `notels` language server comes from. Pure: the file system, PATH and environment come
// in through `Host`, so unit tests run under plain Node without VS Code.
//
// Order: the explicit settings (`notels.server.path`, then `notels.server.python`) win and are
// the only candidate when set; otherwise `notels` on PATH, the Python extension's selected
// interpreter, and `python3`/`python` on PATH, each as `python -P -m notels`.

import * as path from 'node:path';

export interface Host {
  readonly platform: string; // process.platform
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homedir: string;
  /** An existing file this process may execute (on Windows: an existing file). */
  isExecutable(file: string): boolean;
}

export interface DiscoveryInput {
  readonly serverPath?: string; // notels.server.path
  readonly serverPython?: string; // notels.server.python
  /** The Python extension's interpreter command, e.g. ['/venv/bin/python'] or ['conda', 'run', ...]. */
  readonly pythonExtension?: readonly string[];
  readonly workspaceFolder?: string; // for relative paths and ${workspaceFolder}
}

export type Source =
  | 'notels.server.path'
  | 'notels.server.python'
  | 'PATH'
  | 'Python extension'
  | 'python on PATH';

export interface Candidate {
  readonly source: Source;
  readonly command: string;
  /** Arguments before the notels subcommand: [] for `notels`, ['-P', '-m', 'notels'] for Python. */
  readonly prefix: readonly string[];
  /** Why it cannot work, known without running it (e.g. the file does not exist). */
  readonly problem?: string;
}

export function serveArgs(candidate: Candidate): string[] {
  return [...candidate.prefix, 'serve'];
}

export function versionArgs(candidate: Candidate): string[] {
  return [...candidate.prefix, '--version'];
}

export function describe(candidate: Candidate): string {
  return [candidate.command, ...candidate.prefix].join(' ');
}

// -P: the working folder (the workspace, for the server) is not put on sys.path, so a
// `notels` folder in an untrusted workspace cannot stand in for the server.
const PYTHON_MODULE = ['-P', '-m', 'notels'] as const;

export function serverCandidates(input: DiscoveryInput, host: Host): Candidate[] {
  const serverPath = input.serverPath?.trim();
  if (serverPath) {
    return [explicit('notels.server.path', serverPath, [], input, host)];
  }
  const serverPython = input.serverPython?.trim();
  if (serverPython) {
    return [explicit('notels.server.python', serverPython, PYTHON_MODULE, input, host)];
  }
  const candidates: Candidate[] = [];
  const onPath = which('notels', host);
  if (onPath !== undefined) {
    candidates.push({ source: 'PATH', command: onPath, prefix: [] });
  }
  const fromExtension = input.pythonExtension?.filter((part) => part.length > 0) ?? [];
  if (fromExtension.length > 0) {
    const [command, ...rest] = fromExtension as [string, ...string[]];
    candidates.push({ source: 'Python extension', command, prefix: [...rest, ...PYTHON_MODULE] });
  }
  const pythons = host.platform === 'win32' ? ['python', 'py'] : ['python3', 'python'];
  for (const name of pythons) {
    const found = which(name, host);
    if (found !== undefined && !candidates.some((c) => sameFile(c.command, found, host))) {
      candidates.push({ source: 'python on PATH', command: found, prefix: [...PYTHON_MODULE] });
      break;
    }
  }
  return candidates;
}

function explicit(
  source: Source,
  value: string,
  prefix: readonly string[],
  input: DiscoveryInput,
  host: Host,
): Candidate {
  const expanded = expandPath(value, host, input.workspaceFolder);
  if (!hasSeparator(expanded, host)) {
    // A bare name such as "notels" or "python3.12": look it up on PATH.
    const found = which(expanded, host);
    return found !== undefined
      ? { source, command: found, prefix }
      : { source, command: expanded, prefix, problem: 'not found on PATH' };
  }
  const resolved = resolvePath(expanded, host, input.workspaceFolder);
  return host.isExecutable(resolved)
    ? { source, command: resolved, prefix }
    : { source, command: resolved, prefix, problem: 'does not exist or is not executable' };
}

/** `~`, `${userHome}`, `${workspaceFolder}` and `${env:NAME}` expanded. */
export function expandPath(value: string, host: Host, workspaceFolder?: string): string {
  let result = value.trim();
  result = result.replace(/\$\{userHome\}/g, host.homedir);
  if (workspaceFolder !== undefined) {
    result = result.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  }
  result = result.replace(/\$\{env:([^}]+)\}/g, (_, name: string) => host.env[name] ?? '');
  if (result === '~' || result.startsWith('~/') || result.startsWith('~\\')) {
    result = host.homedir + result.slice(1);
  }
  return result;
}

function pathApi(host: Host): path.PlatformPath {
  return host.platform === 'win32' ? path.win32 : path.posix;
}

function hasSeparator(value: string, host: Host): boolean {
  return value.includes('/') || (host.platform === 'win32' && value.includes('\\'));
}

function resolvePath(value: string, host: Host, workspaceFolder?: string): string {
  const api = pathApi(host);
  if (api.isAbsolute(value) || workspaceFolder === undefined) {
    return api.normalize(value);
  }
  return api.resolve(workspaceFolder, value);
}

function sameFile(a: string, b: string, host: Host): boolean {
  return pathApi(host).normalize(a) === pathApi(host).normalize(b);
}

/** The first executable named `name` on PATH (with PATHEXT's extensions on Windows). */
export function which(name: string, host: Host): string | undefined {
  const api = pathApi(host);
  const windows = host.platform === 'win32';
  const pathValue = (windows ? (host.env.Path ?? host.env.PATH) : host.env.PATH) ?? '';
  const extensions = windows
    ? ['', ...(host.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)]
    : [''];
  for (const folder of pathValue.split(api.delimiter)) {
    if (folder === '') {
      continue;
    }
    for (const extension of extensions) {
      const file = api.join(folder, name + extension);
      if (host.isExecutable(file)) {
        return file;
      }
    }
  }
  return undefined;
}

/** Why a candidate whose `--version` succeeded is no notels, or undefined when it may be. */
export function versionProblem(candidate: Candidate, output: string): string | undefined {
  // A Python in notels.server.path answers `--version` too, then runs `python serve`.
  if (candidate.prefix.length === 0 && /^Python \d/.test(output.trim())) {
    return `answered --version with "${output.trim()}": it is a Python, not notels; set notels.server.python to it instead`;
  }
  return undefined;
}

export interface Attempt {
  readonly candidate: Candidate;
  readonly error: string; // what went wrong, e.g. "No module named notels"
}

export const INSTALL_HINT =
  'Install the server with "pip install <path to a notels checkout>" (or pipx), or set ' +
  'notels.server.path to the notels executable or notels.server.python to a Python that has ' +
  'notels installed, then run "notels: Restart Language Server".';

/** The message shown when no candidate worked: what was tried, and what to do. */
export function failureMessage(attempts: readonly Attempt[]): string {
  if (attempts.length === 0) {
    return `notels: the language server was not found (no notels and no Python on PATH). ${INSTALL_HINT}`;
  }
  const tried = attempts
    .map(({ candidate, error }) => `${candidate.source} (${describe(candidate)}): ${error}`)
    .join('; ');
  return `notels: cannot start the language server. Tried ${tried}. ${INSTALL_HINT}`;
}

/** The last useful line of a failed probe's output ("No module named notels", ...). */
export function probeError(stderr: string, stdout: string, exitCode: number | null): string {
  const lines = `${stderr}\n${stdout}`
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  // A Python before 3.11 refuses `-P`, then prints its usage: the refusal is the news.
  if (lines.some((line) => /^unknown option:? -P\b/i.test(line))) {
    return 'this Python is older than 3.11, which notels needs (it refuses -P)';
  }
  const last = lines[lines.length - 1];
  if (last !== undefined) {
    return last.length > 200 ? `${last.slice(0, 200)}…` : last;
  }
  return exitCode === null ? 'timed out' : `exited with status ${exitCode}`;
}
