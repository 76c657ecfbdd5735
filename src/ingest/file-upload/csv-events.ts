import type { Readable } from 'node:stream';
import { type CsvError, parse } from 'csv-parse';
import { type CsvEvent, mapRow, type RowErrorReason, readHeader } from './csv-row.js';

// A CSV file (Meta's file upload headers, C.9) read as a stream: one item per data row, in order,
// each a server event or the reason the row is excluded. Only a row at a time (and the parser's
// buffer) is in memory, and the reader waits for its consumer, so a 1 GB file streams through.
// A malformed row never stops the file; only what makes the rest unreadable does (a quote that is
// never closed, a row beyond the size limit, too many rows), and that ends the items with `stopped`.

export const CSV_LIMITS = {
  /** Characters in one row: more is almost always a quote that never closes. */
  maxRowChars: 64 * 1024,
  maxRows: 10_000_000,
};

export type CsvItem =
  | ({ kind: 'row'; line: number } & CsvEvent)
  | { kind: 'excluded'; line: number; reason: RowErrorReason; detail: string }
  | { kind: 'warning'; message: string }
  /** Reading ended early: the rows before were all yielded. */
  | { kind: 'stopped'; line: number | null; message: string };

/**
 * Yields the file's rows. Errors of the input stream itself (it was cut, or the caller's byte cap
 * was reached) are thrown from the iteration, as the stream raised them.
 */
export async function* readCsvEvents(input: Readable, limits = CSV_LIMITS): AsyncGenerator<CsvItem> {
  const pending: CsvItem[] = [];
  let fatal: CsvError | null = null;
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    // A quote inside an unquoted field is kept as text rather than failing the row.
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: limits.maxRowChars,
    on_skip: (err) => {
      if (!err) return undefined;
      // The parser cannot go on after these: the rest of the file is inside one field.
      if (err.code === 'CSV_MAX_RECORD_SIZE' || err.code === 'CSV_QUOTE_NOT_CLOSED') {
        // Stop reading, but let the rows parsed before it out first.
        if (fatal === null) {
          setImmediate(() => {
            input.unpipe(parser);
            parser.end();
          });
        }
        fatal ??= err;
      } else {
        pending.push({ kind: 'excluded', line: lines.of(err), reason: 'malformed_csv', detail: describe(err) });
      }
      return undefined;
    },
  });
  const onInputError = (err: Error) => parser.destroy(err);
  input.on('error', onInputError);
  input.pipe(parser);

  const lines = new LineCounter();
  let header: ReturnType<typeof readHeader> | null = null;
  let rows = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield* pending.splice(0);
      const line = lines.start(item.record, item.info.lines);
      if (header === null) {
        header = readHeader(item.record);
        if (!header.ok) {
          yield { kind: 'stopped', line, message: `line ${line}: ${header.message}` };
          return;
        }
        for (const message of header.header.warnings) yield { kind: 'warning', message };
        continue;
      }
      if (!header.ok) return;
      // Spreadsheets end files with rows of empty cells: they are no rows at all.
      if (item.record.every((cell) => cell.trim() === '')) continue;
      if (++rows > limits.maxRows) {
        yield {
          kind: 'stopped',
          line,
          message: `the file has more than ${limits.maxRows} rows; rows after line ${line - 1} were not read`,
        };
        return;
      }
      const mapped = mapRow(header.header, item.record);
      yield mapped.ok
        ? { kind: 'row', line, ...mapped.value }
        : { kind: 'excluded', line, reason: mapped.reason, detail: mapped.detail };
    }
  } catch (err) {
    if (!isCsvError(err)) throw err;
    fatal ??= err;
  } finally {
    input.off('error', onInputError);
    input.unpipe(parser);
    parser.destroy();
  }
  yield* pending.splice(0);
  if (fatal) {
    const at = lines.of(fatal);
    yield {
      kind: 'stopped',
      line: at,
      message:
        fatal.code === 'CSV_MAX_RECORD_SIZE'
          ? `line ${at}: a row longer than ${limits.maxRowChars} characters (often a quote that is never closed); the file was not read past it`
          : fatal.code === 'CSV_QUOTE_NOT_CLOSED'
            ? `a quoted field is never closed (the file ends inside it at line ${at}); the rows from where it opens were not read`
            : `line ${at}: ${fatal.message}; the file was not read past it`,
    };
  } else if (header === null) {
    yield { kind: 'stopped', line: null, message: 'the file is empty: the first line must name the columns' };
  }
}

function isCsvError(err: unknown): err is CsvError {
  return (
    typeof (err as { code?: unknown } | null)?.code === 'string' && (err as { code: string }).code.startsWith('CSV_')
  );
}

/** The parser's message without its own "at line N" (the report says the line). */
function describe(err: CsvError): string {
  return err.message.replace(/\s*at line \d+$/, '').slice(0, 300);
}

/**
 * True line numbers from the parser's count. It counts the line a record ends on, and counts a CRLF
 * inside a quoted field as two lines, so each record's own line breaks are counted back.
 */
class LineCounter {
  private extra = 0;

  start(record: readonly string[], parserEndLine: number): number {
    let crlf = 0;
    let breaks = 0;
    for (const cell of record) {
      for (let i = 0; i < cell.length; i++) {
        const c = cell.charCodeAt(i);
        if (c === 13 && cell.charCodeAt(i + 1) === 10) {
          crlf++;
          breaks++;
          i++;
        } else if (c === 10 || c === 13) breaks++;
      }
    }
    this.extra += crlf;
    return parserEndLine - this.extra - breaks;
  }

  /** The line of a parser error, on the same scale. */
  of(err: CsvError): number {
    return Number((err as unknown as { lines?: number }).lines ?? 0) - this.extra;
  }
}
