// Byte-level writing and reading for the player wire: unsigned LEB128 varints, zigzag for signed
// values, little-endian fixed widths, length-prefixed UTF-8. The reader checks every bound and
// throws WireFormatError, so a hostile frame can never read past its end.

export class WireFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WireFormatError";
  }
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

export const zigzag = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1);
export const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

/** Bytes a varint of `n` takes. */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

export class ByteWriter {
  buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(n: number): this {
    this.ensure(1);
    this.buf[this.pos++] = n & 255;
    return this;
  }

  u16(n: number): this {
    this.ensure(2);
    this.view.setUint16(this.pos, n, true);
    this.pos += 2;
    return this;
  }

  f32(n: number): this {
    this.ensure(4);
    this.view.setFloat32(this.pos, n, true);
    this.pos += 4;
    return this;
  }

  f64(n: number): this {
    this.ensure(8);
    this.view.setFloat64(this.pos, n, true);
    this.pos += 8;
    return this;
  }

  /** Unsigned LEB128, up to 2^53. */
  varint(n: number): this {
    this.ensure(8);
    while (n >= 128) {
      this.buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
    return this;
  }

  svarint(n: number): this {
    return this.varint(zigzag(n));
  }

  bytes(b: Uint8Array): this {
    this.varint(b.length);
    this.raw(b);
    return this;
  }

  raw(b: Uint8Array, from = 0, to = b.length): this {
    const n = to - from;
    this.ensure(n);
    // a few bytes (a cached delta) copy faster by hand than through a subarray view
    if (n <= 32) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = from; i < to; i++) buf[p++] = b[i]!;
    } else this.buf.set(b.subarray(from, to), this.pos);
    this.pos += n;
    return this;
  }

  str(s: string): this {
    return this.bytes(utf8.encode(s));
  }

  /** A copy of what was written, as a Buffer that may outlive this writer (ws keeps it until sent). */
  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  /** The same copy as a plain Uint8Array, for code that also runs in a browser (no Buffer there). */
  copy(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

export class ByteReader {
  pos = 0;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get left(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) throw new WireFormatError(`${what}: needs ${n} bytes at offset ${this.pos}, the frame has ${this.buf.length}`);
  }

  u8(what = "u8"): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what = "u16"): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  f32(what = "f32"): number {
    this.need(4, what);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(what = "f64"): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  varint(what = "varint", max = Number.MAX_SAFE_INTEGER): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      this.need(1, what);
      const b = this.buf[this.pos++]!;
      n += (b & 127) * scale;
      if (b < 128) {
        if (n > max) throw new WireFormatError(`${what}: ${n} is over ${max}`);
        return n;
      }
      scale *= 128;
    }
    throw new WireFormatError(`${what}: varint longer than 8 bytes`);
  }

  svarint(what = "svarint"): number {
    return unzigzag(this.varint(what));
  }

  bytes(max: number, what = "bytes"): Uint8Array {
    const n = this.varint(`${what} length`, max);
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  str(maxBytes: number, what = "string"): string {
    const b = this.bytes(maxBytes, what);
    try {
      return utf8Strict.decode(b);
    } catch {
      throw new WireFormatError(`${what}: not UTF-8`);
    }
  }

  end(what: string): void {
    if (this.pos !== this.buf.length) throw new WireFormatError(`${what}: ${this.buf.length - this.pos} bytes left over`);
  }
}
