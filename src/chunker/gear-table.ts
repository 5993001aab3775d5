/*
 * Gear tables for FastCDC: the standard table of the reference implementation
 * (fastcdc-rs v2020, entry i = the first 8 bytes, big-endian, of MD5 of 64 bytes
 * all equal to i) and keyed tables derived from a 32-byte repository key, so cut
 * points (and so chunk sizes) cannot be predicted without the key.
 */
import { assertBytes, sha256 } from '../core/index.js';

// The reference GEAR table (fastcdc-rs src/v2020/mod.rs, made by examples/table64.rs).
// test/chunker/gear-table.test.ts re-derives every entry from MD5.
// prettier-ignore
const STANDARD_HEX =
  '3b5d3c7d207e37dc784d68ba91123086cd52880f882e7298eacf8e4e19fdcca7c31f385dfbd1632b1d5f27001e25abe683130bde3c9ad991c4b225676e9b7649' +
  'aa329b29e08eb499b67fcbd21e577d580027baaada2acf6be3ef2d5ac73c22260890f24d6ed312b7a809e036851d7c7ef0a6fe5e0013d81b1d026304452cec14' +
  '03864632648e248fcdaacf3dcd92b9b4f5e012e63c1878568862f9d3821c00b6a82f7338750f6f8a1e583dc6c1cb0b6f7a3145b69743a7f1abb20fee404807eb' +
  'b14b3cfe07b83a5db9dc27898adb9a0f3703f5e91baa62becf0bb866815f7d983d9867c41ea9dcd31be1fa65442bf22c14300da4c55631d9e698e9cbc6545c99' +
  '4763107ec64e92a5c65821fc65696a2476196c064822f0b7485be841f3525e01f652bc9c85974ff5cad8352face9e3e92a6ed1dceb35e98ec6f483badc11680f' +
  '3cfd8c17e9cf12f189b83c5e2ea56471ae665cfd24e392a9ec33c4e504cb89153fb9b15fc9fe7451d7fd1fd1945f219531ade0853443efd8255efc9863e1e2d2' +
  '10eab6008d5642cf46f04863257ac804a52dc42a789a27d3daaadf9ce77af5656b479cd53d87febb6309e2d3f93db72fc5738ffbaa1ff9d66bd57f3f25af7968' +
  '67605486d90d0a4ae14d0b9663bfbdaeb7bbd8d816eb0414def8a4f16b35a116e7932d85aaaffed608161cbae90cfd48855507beb294f08b91234ea6ffd399b2' +
  'ad70cf4b2435f302d289a97565bc2d278e558437ffca99de96d2704b7115c0400889bbcdfc660e415e0d4e67dc92128d72a9f8917063ed97438b69d409e016e3' +
  'df4fed8a5d8a439700f41dcf41d403f74814eb038e52603f9dafbacc58e2d651fe2f458e4be170af4457ec414df6a94006e62f1451123314bd1014d173ba92cc' +
  'def318e25ed577609fea0de9dfca8525459de1e76c20624baeec189617e2d666126a2c06ab5a83cbb1321532360f613265421503dbb401232d67c287ea089ab3' +
  '6c93bff5a56bd6b64ffb2036cab6d98dce7b785b1be7ad4fedb42ef6189fd163dc905288703988f6365f9c1d2c691884c640583680d99bfe3cd4624c07593ec6' +
  '7f1ea8d85d7c5805014842d480b571490b649bcb5a828688bcd5708ed79b18f0e987c862fbd2f2f0982731671f0cd82cbaf13e8b16d8c0638ea3109cbd951bba' +
  'd141045bfb385cad2acbc1a0af1f7d30e6444d89df03bfdfa18cc771b8188ff99834429db01c39bb214add07fe086a1f8f07c19b1f6b3ff956a297b1bf4ffe55' +
  '94d558e493c54fc740bfc24c764552cb931a706f8a8520cb32229d322935bd522560d0f5dc4fefaf9dbcc48355969bb60fd81c3985c0b56ae03817e1560f2bda' +
  'c1bb4f81d892b2d5b0c4864f4e28d2d73ecc49f9d9d6c26351307e99b52ba65e8af2b688da84a752f5d72523b91b20b66d95ff1ff4634806562f21555458339a' +
  'c0ce47f889336346487823e5089b40d8e4727c7ebc6d95925a8f7277e94970bafca2f406b1c8bb505b1f8a95f1791070d304af9fc90286055440ab7fc930e748' +
  '312d25fbca2ab5a110f4a4b234a4d57590301d55047e74733b6372886c61591e293402b77c444e06451f34a4d3e97dd73158d814d81bc57b034942425b9bda69' +
  'e2032ff9e532d9bb62ae066b8b2179e59545e10c2f8d71d87ff7483eb2d23fc000945fcebdc98d868764bbbe99b26ca21b1ec62284c0bfc358e0fcc4f0aa362b' +
  '5f4abefa878d458dfd74ac2f9607c519a4e3fb37df8cbfa9bf697e43cac574e586f14a3f68f4cd5324a23d076f1ce522e725cd8048868cc8bf3c729eb2464362' +
  'd8f6cd57b3cc1ed86329e5242554157762aa688ad5ae1ac00a242566269bf845168b1a4753aca74bf789afefff2e7e3c6c3362093b6fccdb4ce8f50bd28c09b2' +
  '006a2db95ae8aa93975b0d623c3d1a8c18605d3935338c5b5bb6f6136cad3c710f53a20701f8d8a6ab8c5ad2e7e93c6740b5ac5127acaa298c7bf63c2075895f' +
  '78bd9f7e014a805cb2c9e9f4f9c8c032efd6049827eb91f32be459f482c16fbdd92ce0c5745aaa8c0aaa8fb298d965b92b37f92c6c803b158c54a5e94e0f0e78' +
  '95f9b6e90c0a3032e7939faa436c7874d16bfe8f6a8a40c944982b86263fd2fae285fb39f984e583779a8df72d7619d3f2d79a8de8d5dd1ed1037354d66684e2' +
  '004c82a4e668a8e531d40a7668b044e6d70578538bd02c11db45431078c5f482977121bb7f6a51ad73d5ccbd34eff8dde437a07d356e17cd47b2782043c95627' +
  '9fb251413e41d49accd70b60652513d31c95b31e8a1b49b2cae73dfd1bcb4c1b34d98331b1f5b70f784e39f22338d92f18613d4a064df420f1d8dae25f0bcebe' +
  '33f77c15ae855efc3c88b3b912eb109c956a2ec96bafeea51aa005b5e0ad0e875500d70527c4bb8ee36c57196421cc4413c4d286cc36ee395654a23d818b2a81' +
  '77b1dc13d161abdc734f44de5f8d5eb560717e174a6c89a2d47d9649266a211e5b13a4322bb69e90f7669609f8b5fc3c21e6ac55bedcdac99b56b62b61166dea' +
  'f48f66b939797e9c35f332f9c0e6ae9acc733f6a9a878db03da161e41cc108c2b7d74ae535914d514d493b0b11d36469ce264d1dfba9741aa9d1f2dc7436dc06' +
  '70738016604c2a27231d36e96e93f3d57666881197838d194a2a83090aaad40cf1e761591668b35d7363236497f730a7301080e37379dd4d502dea2971827042' +
  'c2c5eb858f32625f786afb9edfafbdffdaee0d868490b2a4617366b3268609f6ae0e35a0fe46173ed1a07de93e824f11079b8b115ea4cca893a99274558faebb' +
  'fb1e6e22e08a03b3ea635fdba3698dd0cf53659328503a5ccde3b31e6fd5d7808e3e4221d3614413ef14d0d86bf1a22ce1d830d3f16c5ddbaabd2b2a451504e1';

/** Length in bytes of a repository key accepted by {@link keyedGear}. */
export const GEAR_KEY_LEN = 32;

/** Domain separation for keyed tables, so the repository key can serve other uses too. */
const KEYED_DOMAIN = new TextEncoder().encode('clawback/fastcdc-gear/v1\0');

/**
 * 256 64-bit gear values, stored as 32-bit halves for the hot loop, with the
 * table shifted left one bit (FastCDC 2020's GEAR_LS, used on even bytes).
 * Immutable: build one with {@link standardGear} or {@link keyedGear}.
 */
export class GearTable {
  /** High and low 32-bit halves (as int32) of each entry, and of each entry << 1 (mod 2^64). @internal */
  readonly hi = new Int32Array(256);
  /** @internal */
  readonly lo = new Int32Array(256);
  /** @internal */
  readonly lsHi = new Int32Array(256);
  /** @internal */
  readonly lsLo = new Int32Array(256);

  /** `entries` holds 256 values as 8 big-endian bytes each (2048 bytes). */
  private constructor(entries: Uint8Array, readonly keyed: boolean) {
    const view = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
    for (let i = 0; i < 256; i++) {
      const h = view.getUint32(i * 8);
      const l = view.getUint32(i * 8 + 4);
      this.hi[i] = h;
      this.lo[i] = l;
      this.lsHi[i] = (h << 1) | (l >>> 31);
      this.lsLo[i] = l << 1;
    }
  }

  /**
   * Entry `i` (0-255) as an unsigned 64-bit bigint.
   * @throws {RangeError} when `i` is not in 0..255.
   * @example
   * standardGear().entry(0); // 0x3b5d3c7d207e37dcn
   */
  entry(i: number): bigint {
    const h = this.hi[i];
    const l = this.lo[i];
    if (h === undefined || l === undefined) throw new RangeError(`"i" expected integer in 0..255, got ${i}`);
    return (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0);
  }

  /** @internal Builds a table from 2048 big-endian bytes. */
  static fromBytes(entries: Uint8Array, keyed: boolean): GearTable {
    return new GearTable(entries, keyed);
  }
}

let standard: GearTable | undefined;

/**
 * The reference gear table of fastcdc-rs and the FastCDC C code (MD5-derived).
 * Cut points with this table match the published FastCDC test vectors.
 * @example
 * new Chunker({ gear: standardGear() });
 */
export function standardGear(): GearTable {
  standard ??= GearTable.fromBytes(Uint8Array.from(Buffer.from(STANDARD_HEX, 'hex')), false);
  return standard;
}

/**
 * A gear table keyed by a 32-byte repository key: entry i is the first 8 bytes
 * (big-endian) of SHA-256("clawback/fastcdc-gear/v1\0" || key || byte i).
 * The same key always gives the same table; without the key an observer of chunk
 * sizes cannot fingerprint known files (borg 2 and restic per-repository chunkers).
 * @throws {TypeError} when `key` is not a Uint8Array.
 * @throws {RangeError} when `key` is not 32 bytes long.
 * @example
 * const gear = keyedGear(repoKey); // repoKey: 32 random bytes kept in the repository config
 * chunkBuffer(data, { gear });
 */
export function keyedGear(key: Uint8Array): GearTable {
  assertBytes('key', key);
  if (key.length !== GEAR_KEY_LEN) {
    throw new RangeError(`"key.length" expected integer ${GEAR_KEY_LEN}, got ${key.length}`);
  }
  const entries = new Uint8Array(256 * 8);
  const input = new Uint8Array(KEYED_DOMAIN.length + GEAR_KEY_LEN + 1);
  input.set(KEYED_DOMAIN, 0);
  input.set(key, KEYED_DOMAIN.length);
  for (let i = 0; i < 256; i++) {
    input[input.length - 1] = i;
    entries.set(sha256(input).subarray(0, 8), i * 8);
  }
  return GearTable.fromBytes(entries, true);
}
