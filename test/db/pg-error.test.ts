import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  connectionErrorFrom,
  DATABASE_CONNECTION_LOST,
  databaseFault,
  pgErrorCode,
} from '../../db/pg-error.ts';
import { ConflictError, DatabaseUnavailableError } from '../../engine/platform/errors.ts';

const withCode = (code: string) => Object.assign(new Error('x'), { code });

describe('database faults, by code', () => {
  it('names a lost session or server a connection fault', () => {
    for (const code of ['57P01', '57P02', '57P03', '53300', '08006', '08001', 'ECONNREFUSED', 'ECONNRESET']) {
      expect(databaseFault(withCode(code)), code).toBe('connection');
    }
  });

  it('names a serialization failure or a deadlock contention', () => {
    expect(databaseFault(withCode('40001'))).toBe('contention');
    expect(databaseFault(withCode('40P01'))).toBe('contention');
  });

  it('is not a fault of the database for a refusal, a constraint, a bug or an error without a code', () => {
    expect(databaseFault(withCode('23505'))).toBeUndefined();
    expect(databaseFault(withCode('P0001'))).toBeUndefined();
    expect(databaseFault(new ConflictError('agent not on a call'))).toBeUndefined();
    expect(databaseFault(new TypeError('bug'))).toBeUndefined();
    expect(databaseFault(new Error('Connection terminated unexpectedly'))).toBeUndefined();
  });

  it('counts an operation that ran out of retries as a connection fault', () => {
    expect(databaseFault(new DatabaseUnavailableError('finalizing', { cause: withCode('57P01') }))).toBe(
      'connection',
    );
  });
});

describe('the driver errors of a dead connection', () => {
  it('get our code, keeping the driver error as the cause', () => {
    const driver = new Error('Connection terminated unexpectedly');
    const wrapped = connectionErrorFrom(driver);
    expect(pgErrorCode(wrapped)).toBe(DATABASE_CONNECTION_LOST);
    expect(databaseFault(wrapped)).toBe('connection');
    expect((wrapped as Error).cause).toBe(driver);
  });

  it('leave errors with a code, server errors and bugs as they are', () => {
    const server = new pg.DatabaseError('duplicate key', 10, 'error');
    server.code = '23505';
    const socket = withCode('ECONNRESET');
    const bug = new TypeError('cannot read');
    expect(connectionErrorFrom(server)).toBe(server);
    expect(connectionErrorFrom(socket)).toBe(socket);
    expect(connectionErrorFrom(bug)).toBe(bug);
  });
});
