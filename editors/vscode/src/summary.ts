// Messages about the server's command results. Pure: unit tests call these directly.

/** What `notels.generateIds` answered ({ids, files, written, skipped, applied}), in words. */
export function generateIdsSummary(result: unknown): string {
  const summary = (typeof result === 'object' && result !== null ? result : {}) as Record<string, unknown>;
  const count = (key: string): number => (typeof summary[key] === 'number' ? (summary[key] as number) : 0);
  const ids = count('ids');
  const skipped = count('skipped');
  const left =
    skipped > 0 ? ` ${skipped} card${skipped === 1 ? '' : 's'} left without one: see their quick fixes.` : '';
  if (ids === 0) {
    return `notels: no card needed a new Anki ID.${left}`;
  }
  const written = count('written');
  if (summary.applied === false && written > 0) {
    const open = count('files') - written;
    return (
      `notels: wrote new Anki IDs into ${written} note${written === 1 ? '' : 's'}; ` +
      `the edit of ${open} open note${open === 1 ? '' : 's'} was not applied (see the notels output).`
    );
  }
  if (summary.applied === false) {
    return `notels: the ${ids} new Anki ID${ids === 1 ? '' : 's'} could not be applied (see the notels output).`;
  }
  const files = count('files');
  return `notels: wrote ${ids} new Anki ID${ids === 1 ? '' : 's'} in ${files} note${files === 1 ? '' : 's'}.${left}`;
}
