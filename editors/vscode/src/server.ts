// Finding a `notels` that runs: the candidates from discovery.ts, each tried with `--version`.

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';

import {
  Attempt,
  Candidate,
  Host,
  describe,
  probeError,
  serverCandidates,
  versionArgs,
  versionProblem,
} from './discovery';

const PROBE_TIMEOUT_MS = 20_000;
const PYTHON_EXTENSION_TIMEOUT_MS = 10_000;

export type Found =
  | { readonly ok: true; readonly candidate: Candidate; readonly version: string }
  | { readonly ok: false; readonly attempts: readonly Attempt[] };

export function nodeHost(): Host {
  return {
    platform: process.platform,
    env: process.env,
    homedir: os.homedir(),
    isExecutable(file: string): boolean {
      try {
        if (!fs.statSync(file).isFile()) {
          return false;
        }
        if (process.platform !== 'win32') {
          fs.accessSync(file, fs.constants.X_OK);
        }
        return true;
      } catch {
        return false;
      }
    },
  };
}

export async function findServer(
  scope: vscode.WorkspaceFolder | undefined,
  log: (line: string) => void,
): Promise<Found> {
  const config = vscode.workspace.getConfiguration('notels', scope);
  const serverPath = config.get<string>('server.path');
  const serverPython = config.get<string>('server.python');
  // The Python extension is asked only when no setting names the server: activating it can
  // take seconds.
  const named = Boolean(serverPath?.trim() || serverPython?.trim());
  const input = {
    serverPath,
    serverPython,
    pythonExtension: named ? undefined : await pythonFromExtension(scope, log),
    workspaceFolder: scope?.uri.scheme === 'file' ? scope.uri.fsPath : undefined,
  };
  const attempts: Attempt[] = [];
  for (const candidate of serverCandidates(input, nodeHost())) {
    if (candidate.problem !== undefined) {
      log(`${candidate.source}: ${describe(candidate)} ${candidate.problem}`);
      attempts.push({ candidate, error: candidate.problem });
      continue;
    }
    const result = await probe(candidate);
    const problem = result.ok ? versionProblem(candidate, result.output) : undefined;
    if (problem !== undefined) {
      log(`${candidate.source}: ${describe(candidate)} ${problem}`);
      attempts.push({ candidate, error: problem });
      continue;
    }
    if (result.ok) {
      log(`using ${describe(candidate)} (${candidate.source}): ${result.output}`);
      return { ok: true, candidate, version: result.output };
    }
    log(`${candidate.source}: ${describe(candidate)} failed: ${result.output}`);
    attempts.push({ candidate, error: result.output });
  }
  return { ok: false, attempts };
}

function probe(candidate: Candidate): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(
      candidate.command,
      versionArgs(candidate),
      { timeout: PROBE_TIMEOUT_MS, windowsHide: true },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ ok: true, output: stdout.trim() || stderr.trim() });
          return;
        }
        const code = typeof error.code === 'number' ? error.code : null;
        const detail =
          typeof error.code === 'string' // spawn failed: ENOENT, EACCES, ...
            ? `${error.code}: ${error.message}`
            : probeError(stderr, stdout, error.killed ? null : code);
        resolve({ ok: false, output: detail });
      },
    );
  });
}

/** The interpreter the Python extension (ms-python.python) selected, when it is installed. */
async function pythonFromExtension(
  scope: vscode.WorkspaceFolder | undefined,
  log: (line: string) => void,
): Promise<string[] | undefined> {
  const extension = vscode.extensions.getExtension<PythonApi>('ms-python.python');
  if (extension === undefined) {
    return undefined;
  }
  try {
    const lookup = (async () => {
      const api = extension.isActive ? extension.exports : await extension.activate();
      const resource = scope?.uri;
      const active = api?.environments?.getActiveEnvironmentPath?.(resource);
      if (active?.path) {
        return [active.path];
      }
      const details = await api?.settings?.getExecutionDetails?.(resource);
      return details?.execCommand?.filter((part): part is string => typeof part === 'string');
    })();
    const timeout = new Promise<undefined>((resolve) =>
      setTimeout(() => resolve(undefined), PYTHON_EXTENSION_TIMEOUT_MS),
    );
    return await Promise.race([lookup, timeout]);
  } catch (error) {
    log(`Python extension: no interpreter (${String(error)})`);
    return undefined;
  }
}

/** The parts of the Python extension's API used here (old and new shapes, all optional). */
interface PythonApi {
  readonly environments?: {
    getActiveEnvironmentPath?(resource?: vscode.Uri): { readonly path?: string } | undefined;
  };
  readonly settings?: {
    getExecutionDetails?(
      resource?: vscode.Uri,
    ): { readonly execCommand?: readonly unknown[] } | Promise<{ readonly execCommand?: readonly unknown[] }> | undefined;
  };
}
