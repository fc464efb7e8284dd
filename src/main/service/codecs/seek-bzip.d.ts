// seek-bzip ships no types: the one call used (codecs/bz2.ts).
declare module 'seek-bzip' {
  interface OutputStream {
    writeByte(b: number): void
  }
  const Bunzip: { decode(input: Buffer, output: OutputStream, multistream?: boolean): unknown }
  export default Bunzip
}
