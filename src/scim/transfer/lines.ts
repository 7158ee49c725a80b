import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** One line of a JSON-lines file: its 1-based number, its text, and how far into the file it ends. */
export interface Line {
  readonly number: number;
  readonly text: string;
  /** Bytes read up to the end of this line, for progress. */
  readonly offset: number;
}

const BOM = '\uFEFF';

/** The lines of a file, streamed: memory holds one line at a time whatever the file's size. */
export async function* readLines(path: string): AsyncGenerator<Line> {
  const input = createReadStream(path);
  const rl = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  let offset = 0;
  try {
    for await (const read of rl) {
      number += 1;
      offset += Buffer.byteLength(read) + 1;
      // A byte order mark, which editors on Windows put first, is not part of the first line's JSON.
      const text = number === 1 && read.startsWith(BOM) ? read.slice(BOM.length) : read;
      yield { number, text, offset };
    }
  } finally {
    rl.close();
    input.destroy();
  }
}

/** The lines of a file in batches of at most `size`. */
export async function* batches(lines: AsyncIterable<Line>, size: number): AsyncGenerator<Line[]> {
  let batch: Line[] = [];
  for await (const line of lines) {
    batch.push(line);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
