import * as assert from 'node:assert/strict';

import {
  Attempt,
  Host,
  expandPath,
  failureMessage,
  probeError,
  serveArgs,
  serverCandidates,
  versionArgs,
  versionProblem,
  which,
} from '../../src/discovery';

/** A fake machine: `files` are the executables that exist. */
function host(files: string[], env: Record<string, string> = {}, platform = 'linux'): Host {
  const executables = new Set(files);
  return {
    platform,
    env: { PATH: '/usr/local/bin:/usr/bin', ...env },
    homedir: platform === 'win32' ? 'C:\\Users\\me' : '/home/me',
    isExecutable: (file) => executables.has(file),
  };
}

describe('server discovery', () => {
  it('uses notels.server.path alone when it is set', () => {
    const machine = host(['/opt/notels/bin/notels', '/usr/bin/notels']);
    const candidates = serverCandidates({ serverPath: '/opt/notels/bin/notels' }, machine);
    assert.equal(candidates.length, 1);
    assert.deepEqual(candidates[0], { source: 'notels.server.path', command: '/opt/notels/bin/notels', prefix: [] });
    assert.deepEqual(serveArgs(candidates[0]!), ['serve']);
    assert.deepEqual(versionArgs(candidates[0]!), ['--version']);
  });

  it('reports a notels.server.path that does not exist instead of falling back', () => {
    const candidates = serverCandidates({ serverPath: '~/venv/bin/notels' }, host(['/usr/bin/notels']));
    assert.equal(candidates.length, 1);
    assert.equal(candidates[0]!.command, '/home/me/venv/bin/notels');
    assert.match(candidates[0]!.problem ?? '', /does not exist/);
  });

  it('resolves a relative server path against the workspace folder', () => {
    const machine = host(['/vault/.venv/bin/notels']);
    const [candidate] = serverCandidates({ serverPath: '.venv/bin/notels', workspaceFolder: '/vault' }, machine);
    assert.equal(candidate!.command, '/vault/.venv/bin/notels');
    assert.equal(candidate!.problem, undefined);
  });

  it('looks a bare server path up on PATH', () => {
    const [candidate] = serverCandidates({ serverPath: 'notels' }, host(['/usr/bin/notels']));
    assert.equal(candidate!.command, '/usr/bin/notels');
  });

  it('reports a bare server name that is not on PATH', () => {
    const [candidate] = serverCandidates({ serverPython: 'python3.13' }, host(['/usr/bin/python3']));
    assert.equal(candidate!.problem, 'not found on PATH');
    assert.match(failureMessage([{ candidate: candidate!, error: candidate!.problem! }]), /notels\.server\.python \(python3\.13 -P -m notels\): not found on PATH/);
  });

  it('runs notels.server.python as python -P -m notels', () => {
    const machine = host(['/venv/bin/python', '/usr/bin/notels']);
    const candidates = serverCandidates({ serverPython: '${workspaceFolder}/../bin/python', workspaceFolder: '/venv/x' }, machine);
    assert.equal(candidates.length, 1);
    assert.equal(candidates[0]!.source, 'notels.server.python');
    assert.equal(candidates[0]!.command, '/venv/bin/python');
    assert.deepEqual(serveArgs(candidates[0]!), ['-P', '-m', 'notels', 'serve']);
  });

  it('without settings: notels on PATH, then the Python extension, then python3', () => {
    const machine = host(['/usr/bin/notels', '/usr/bin/python3', '/usr/bin/python']);
    const candidates = serverCandidates({ pythonExtension: ['/home/me/.venv/bin/python'] }, machine);
    assert.deepEqual(
      candidates.map((c) => [c.source, c.command, ...c.prefix]),
      [
        ['PATH', '/usr/bin/notels'],
        ['Python extension', '/home/me/.venv/bin/python', '-P', '-m', 'notels'],
        ['python on PATH', '/usr/bin/python3', '-P', '-m', 'notels'],
      ],
    );
  });

  it('keeps the rest of a multi-part interpreter command (conda run ...)', () => {
    const candidates = serverCandidates({ pythonExtension: ['conda', 'run', '-n', 'anki', 'python'] }, host([]));
    assert.deepEqual(serveArgs(candidates[0]!), ['run', '-n', 'anki', 'python', '-P', '-m', 'notels', 'serve']);
    assert.equal(candidates[0]!.command, 'conda');
  });

  it('does not try the same python twice', () => {
    const candidates = serverCandidates({ pythonExtension: ['/usr/bin/python3'] }, host(['/usr/bin/python3']));
    assert.deepEqual(candidates.map((c) => c.source), ['Python extension']);
  });

  it('finds nothing on an empty machine', () => {
    assert.deepEqual(serverCandidates({}, host([])), []);
  });

  it('uses PATHEXT and Path on Windows', () => {
    const machine = host(['C:\\Py\\Scripts\\notels.EXE'], { Path: 'C:\\Windows;C:\\Py\\Scripts', PATHEXT: '.COM;.EXE' }, 'win32');
    assert.equal(which('notels', machine), 'C:\\Py\\Scripts\\notels.EXE');
    assert.equal(expandPath('~\\venv\\Scripts\\notels.exe', machine), 'C:\\Users\\me\\venv\\Scripts\\notels.exe');
  });

  it('expands ${env:NAME} and ${userHome}', () => {
    const machine = host([], { VENVS: '/srv/venvs' });
    assert.equal(expandPath('${env:VENVS}/notels/bin/notels', machine), '/srv/venvs/notels/bin/notels');
    assert.equal(expandPath('${userHome}/bin/notels', machine), '/home/me/bin/notels');
  });
});

describe('discovery failure message', () => {
  it('says what was tried and how to install', () => {
    const attempts: Attempt[] = [
      { candidate: { source: 'PATH', command: '/usr/bin/notels', prefix: [] }, error: 'exited with status 1' },
      {
        candidate: { source: 'python on PATH', command: '/usr/bin/python3', prefix: ['-P', '-m', 'notels'] },
        error: '/usr/bin/python3: No module named notels',
      },
    ];
    const message = failureMessage(attempts);
    assert.match(message, /Tried PATH \(\/usr\/bin\/notels\): exited with status 1; python on PATH \(\/usr\/bin\/python3 -P -m notels\): .*No module named notels/);
    assert.match(message, /pip install <path to a notels checkout>/);
    assert.match(message, /notels\.server\.path/);
  });

  it('says nothing was found when there was nothing to try', () => {
    assert.match(failureMessage([]), /not found.*pip install <path to a notels checkout>/);
  });

  it('takes the last line of a probe output', () => {
    assert.equal(probeError('Traceback...\nModuleNotFoundError: No module named pygls\n', '', 1), 'ModuleNotFoundError: No module named pygls');
    assert.equal(probeError('', '', 3), 'exited with status 3');
    assert.equal(probeError('', '', null), 'timed out');
    // Python 3.10 and older refuse -P, then print their usage (review s31).
    const usage = "Unknown option: -P\nusage: /usr/bin/python3 [option] ...\nTry `python -h' for more information.\n";
    assert.match(probeError(usage, '', 2), /older than 3\.11/);
  });

  it('tells a Python in notels.server.path from notels by its --version', () => {
    const path = { source: 'notels.server.path', command: '/venv/bin/python', prefix: [] } as const;
    assert.match(versionProblem(path, 'Python 3.12.1\n') ?? '', /a Python, not notels; set notels\.server\.python/);
    assert.equal(versionProblem({ ...path, command: '/venv/bin/notels' }, 'notels 0.1.0'), undefined);
    const python = { source: 'notels.server.python', command: '/venv/bin/python', prefix: ['-P', '-m', 'notels'] } as const;
    assert.equal(versionProblem(python, 'notels 0.1.0'), undefined);
  });
});
