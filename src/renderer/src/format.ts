export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let v = n
  let k = 0
  while (v >= 1024 && k < units.length - 1) {
    v /= 1024
    k++
  }
  return k === 0 ? `${n} bytes` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[k]} (${n.toLocaleString('en-US')} bytes)`
}
