// A gzip or zstd file, decompressed once as a stream, never held: zstd by Node's zlib where the runtime has it
// (Node >= 22.15, so the node24 action) and by fzstd (MIT, a streaming decoder in plain JavaScript) where it does
// not (the command line on Node 20). A stream that expands past BOMB_RATIO times its compressed size beyond
// BOMB_MIN_BYTES is refused as a decompression bomb: real archives hold compressed layers and barely expand.
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { Decompress } from 'fzstd';
import { ArchiveError } from './members.js';

export const BOMB_RATIO = 200;
export const BOMB_MIN_BYTES = 1024 * 1024 * 1024;

type ZlibWithZstd = typeof zlib & { createZstdDecompress?: (options?: { chunkSize?: number }) => Transform };

/**
 * Chunks of 1 MiB out (not zlib's 16 KiB: a gigabyte is a thousand turns of the walk, not sixty thousand), and
 * 1 MiB reads of a gzip file: 5 GiB in 3.8 s, 5.3 s with 256 KiB (bench/archive.ts). A zstd file is read 64 KiB
 * at a time: with 1 MiB reads Node 24's zstd stream peaked at 150 MB on 5 GiB, with 64 KiB at 135 MB, in 6.7 s
 * instead of 3.6 s (bench/RESULTS.md).
 */
const CHUNK = 1024 * 1024;
const ZSTD_READ = 64 * 1024;

/** Node's zstd decoder when the runtime has one, else fzstd's, as a stream. */
export function zstdDecoder(): Transform {
  const native = (zlib as ZlibWithZstd).createZstdDecompress;
  if (typeof native === 'function') return native({ chunkSize: CHUNK });
  let decoder: Decompress | undefined;
  return new Transform({
    transform(this: Transform, chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      try {
        decoder ??= new Decompress((data) =>
          this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
        );
        decoder.push(chunk);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        decoder?.push(new Uint8Array(0), true);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

/**
 * The decompressed bytes of a gzip or zstd file, chunk by chunk; `counted` is told the compressed bytes read.
 * A corrupt stream or a bomb is an ArchiveError naming the archive.
 */
export async function* decompressedChunks(
  path: string,
  name: string,
  compression: 'gzip' | 'zstd',
  counted: (bytes: number) => void,
  limits: { ratio: number; minBytes: number } = { ratio: BOMB_RATIO, minBytes: BOMB_MIN_BYTES },
): AsyncGenerator<Buffer> {
  // zstd is read in smaller pieces: Node 24's zstd stream holds more the larger its input chunks (1.5 GB through
  // the bundle: 147 MB peak at 1 MiB, 132 MB at 64 KiB), and the bound is memory, not zstd's speed.
  const file = createReadStream(path, { highWaterMark: compression === 'zstd' ? ZSTD_READ : CHUNK });
  let read = 0;
  file.on('data', (chunk) => {
    read += chunk.length;
    counted(chunk.length);
  });
  const decoder = compression === 'gzip' ? zlib.createGunzip({ chunkSize: CHUNK }) : zstdDecoder();
  file.on('error', (error) => decoder.destroy(error));
  file.pipe(decoder);
  let out = 0;
  try {
    for await (const chunk of decoder as AsyncIterable<Buffer>) {
      out += chunk.length;
      if (out > limits.minBytes && out > read * limits.ratio)
        throw new ArchiveError(
          `${name}: ${compression} expands more than ${limits.ratio} times (${read} bytes to over ${out}): a decompression bomb, refused`,
        );
      yield chunk;
    }
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(`${name}: not readable as ${compression}: ${(error as Error).message}`);
  } finally {
    file.destroy();
    decoder.destroy();
  }
}
