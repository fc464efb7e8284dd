// What a container parser needs to know of a gzip stream without inflating it (.nii.gz, NRRD's gzip encoding).

/** A gzip stream's first bytes: magic 1f 8b, method 8 (deflate). */
export function isGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08
}

/** gzip's ISIZE: the uncompressed size modulo 2^32 (the stream's last 4 bytes). */
export function gzipSize(read: (o: number, l: number) => Uint8Array, size: number): number {
  const b = read(size - 4, 4)
  return b.length === 4 ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) : 0
}
