import type { LogLevel } from '../config/config.js';
import { describeDbError } from '../db/sql.js';
import { createLogger, type Logger } from '../http/logger.js';

/**
 * Roster's logger: JSON lines in which database errors appear as SQLSTATE, constraint and
 * statement fingerprint, never as SQL with its values (docs/operations.md#logs).
 */
export function createRosterLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  return createLogger(level, destination, describeDbError);
}
