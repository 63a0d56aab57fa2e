// Z85 (ZeroMQ RFC 32): the text form of CURVE keys, as libzmq takes them in socket options
// and hands them to a ZAP handler as 32 raw bytes.
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
const VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Z85 of bytes whose length is a multiple of 4 (a key: 32 bytes, 40 characters). */
export function z85Encode(bytes: Uint8Array): string {
  if (bytes.length % 4 !== 0) throw new Error(`z85: ${bytes.length} bytes is not a multiple of 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let out = "";
  for (let i = 0; i < bytes.length; i += 4) {
    let value = view.getUint32(i);
    const chunk = new Array<string>(5);
    for (let j = 4; j >= 0; j--) {
      chunk[j] = ALPHABET[value % 85]!;
      value = Math.floor(value / 85);
    }
    out += chunk.join("");
  }
  return out;
}

/** The bytes of a Z85 text; throws on a length not a multiple of 5 or a character outside the alphabet. */
export function z85Decode(text: string): Buffer {
  if (text.length % 5 !== 0) throw new Error(`z85: ${text.length} characters is not a multiple of 5`);
  const out = Buffer.alloc((text.length / 5) * 4);
  for (let i = 0; i < text.length; i += 5) {
    let value = 0;
    for (let j = 0; j < 5; j++) {
      const digit = VALUE.get(text[i + j]!);
      if (digit === undefined) throw new Error(`z85: ${JSON.stringify(text[i + j])} is not a Z85 character`);
      value = value * 85 + digit;
    }
    if (value > 0xffff_ffff) throw new Error("z85: a group overflows 32 bits");
    out.writeUInt32BE(value, (i / 5) * 4);
  }
  return out;
}
