import { EventEmitter } from 'node:events';
import path from 'node:path';
import type Database from 'better-sqlite3';

/**
 * In-process wake-ups shared by every connection to the same file in this process, so a subscriber
 * or a waiting lease hears about an append at once; other processes are picked up by polling.
 */
const byFile = new Map<string, EventEmitter>();
const byConnection = new WeakMap<Database.Database, EventEmitter>();

function newHub(): EventEmitter {
  const hub = new EventEmitter();
  hub.setMaxListeners(0);
  return hub;
}

export function notifierFor(db: Database.Database): EventEmitter {
  if (db.memory || db.name === '') {
    let hub = byConnection.get(db);
    if (!hub) byConnection.set(db, (hub = newHub()));
    return hub;
  }
  const key = path.resolve(db.name);
  let hub = byFile.get(key);
  if (!hub) byFile.set(key, (hub = newHub()));
  return hub;
}

export const APPENDED = 'appended';
export const queueTopic = (queue: string) => `queue:${queue}`;
