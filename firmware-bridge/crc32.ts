/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, init and final xor 0xFFFFFFFF): the
 * checksum zlib, PNG and Ethernet use, so a firmware can take it from its vendor library.
 * crc32(ascii "123456789") = 0xCBF43926.
 */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC of bytes[start, end); pass a previous result as `crc` to continue over more bytes. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

export function hex32(x: number): string {
  return "0x" + (x >>> 0).toString(16).padStart(8, "0");
}
