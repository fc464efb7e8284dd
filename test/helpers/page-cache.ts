// Makes a file cold: what a file not read since boot looks like to the next pass.
import { spawnSync } from 'node:child_process'
import type { Mapping } from '../../src/main/service/native'

/**
 * Drops the file's pages from the page cache: written back first (dirty pages cannot be dropped) and unmapped
 * from the mapping given (mapped pages cannot be either), then posix_fadvise(DONTNEED).
 */
export function evict(file: string, mapping?: Mapping): void {
  mapping?.advise('dontneed')
  const r = spawnSync('python3', [
    '-c',
    `import os; fd = os.open(${JSON.stringify(file)}, os.O_RDONLY); os.fsync(fd); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)`
  ])
  if (r.status !== 0) throw new Error(String(r.stderr))
}
