// Is this a notels workspace? Pure, with the file system injected, like the server's
// `find_vault_root`: the nearest folder upward holding `.obsidian/` or `.notels.toml`.

import * as path from 'node:path';

export const VAULT_MARKERS = ['.obsidian', '.notels.toml'] as const;

/** The vault root holding `file` (a file or folder path), or undefined outside every vault. */
export function findVaultRoot(
  file: string,
  exists: (candidate: string) => boolean,
  api: path.PlatformPath = path,
): string | undefined {
  let folder = api.resolve(file);
  for (;;) {
    if (VAULT_MARKERS.some((marker) => exists(api.join(folder, marker)))) {
      return folder;
    }
    const parent = api.dirname(folder);
    if (parent === folder) {
      return undefined;
    }
    folder = parent;
  }
}
