import cluster, { type Worker } from 'node:cluster';
import type { Logger } from './logger.js';

// Several serving processes behind one listening port (node:cluster): the primary forks them,
// passes their messages on, replaces one that dies, and stops them before it stops itself. It
// knows nothing of what they serve; messages are plain objects with a `capig` type.

export interface WorkerMessage {
  capig: string;
  [key: string]: unknown;
}

const isMessage = (m: unknown): m is WorkerMessage =>
  typeof m === 'object' && m !== null && typeof (m as WorkerMessage).capig === 'string';

export interface WorkerProcesses {
  /** The URL the workers listen at, once every one of them listens. */
  readonly url: string;
  /** Sends to every worker but `except` (the one a message came from). */
  broadcast(msg: WorkerMessage, except?: Worker): void;
  /** Asks every live worker and resolves with the answers that came within timeoutMs. */
  ask(msg: WorkerMessage, timeoutMs?: number): Promise<unknown[]>;
  /** Asks every worker to stop (each finishes what it accepted), then kills what is left after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

/** Backoff between replacements of a worker that keeps dying, so a crash loop does not spin. */
const RESTART_MIN_MS = 1_000;
const RESTART_MAX_MS = 30_000;

/**
 * Forks `count` workers (this same program, with `env` added) and resolves once all of them listen.
 * A worker that dies before it listens fails the start; one that dies later is replaced.
 */
export async function startWorkerProcesses(opts: {
  count: number;
  env: Record<string, string>;
  log: Logger;
  onMessage(msg: WorkerMessage, from: Worker): void;
  startTimeoutMs?: number;
}): Promise<WorkerProcesses> {
  const { log } = opts;
  const live = new Set<Worker>();
  let stopping = false;
  let restartDelay = RESTART_MIN_MS;
  let url = '';
  let startFailed: ((err: Error) => void) | null = null;
  let listening = 0;
  let allListening: (() => void) | null = null;
  let nextAsk = 1;
  const answers = new Map<number, (value: unknown) => void>();

  const fork = (): Worker => {
    const worker = cluster.fork(opts.env);
    live.add(worker);
    let ready = false;
    worker.on('message', (msg: unknown) => {
      if (!isMessage(msg)) return;
      if (msg.capig === 'answer') {
        answers.get(Number(msg.id))?.(msg.value);
        return;
      }
      if (msg.capig === 'listening') {
        ready = true;
        url = String(msg.url);
        listening++;
        if (listening === opts.count) allListening?.();
        return;
      }
      opts.onMessage(msg, worker);
    });
    worker.on('exit', (code, signal) => {
      live.delete(worker);
      if (stopping) return;
      if (!ready && startFailed) {
        startFailed(new Error(`a worker process exited before it listened (code ${code}, signal ${signal})`));
        return;
      }
      replaceLater(code, signal);
    });
    return worker;
  };

  const replaceLater = (code: number | null, signal: string | null) => {
    log.error({ code, signal, restartInMs: restartDelay }, 'a worker process died; starting another');
    const delay = restartDelay;
    restartDelay = Math.min(RESTART_MAX_MS, restartDelay * 2);
    setTimeout(() => {
      if (stopping) return;
      const next = fork();
      // A replacement that keeps running for a minute resets the backoff.
      setTimeout(() => {
        if (live.has(next)) restartDelay = RESTART_MIN_MS;
      }, 60_000).unref();
    }, delay).unref();
  };

  const stop = async (graceMs = 30_000) => {
    stopping = true;
    const exits = [...live].map(
      (w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))),
    );
    for (const w of live) {
      if (w.isConnected()) w.send({ capig: 'stop' });
    }
    const timer = setTimeout(() => {
      for (const w of live) {
        log.warn({ pid: w.process.pid }, 'a worker process did not stop in time; killing it');
        w.process.kill('SIGKILL');
      }
    }, graceMs);
    await Promise.all(exits);
    clearTimeout(timer);
  };

  try {
    await new Promise<void>((resolve, reject) => {
      allListening = resolve;
      startFailed = reject;
      const timer = setTimeout(
        () => reject(new Error('the worker processes did not listen in time')),
        opts.startTimeoutMs ?? 120_000,
      );
      timer.unref();
      for (let i = 0; i < opts.count; i++) fork();
    });
  } catch (err) {
    await stop(5_000);
    throw err;
  } finally {
    startFailed = null;
    allListening = null;
  }

  return {
    get url() {
      return url;
    },
    async ask(msg, timeoutMs = 2_000) {
      const asked = [...live].filter((w) => w.isConnected());
      const replies = asked.map(
        (w) =>
          new Promise<unknown>((resolve) => {
            const id = nextAsk++;
            const timer = setTimeout(() => {
              answers.delete(id);
              resolve(undefined);
            }, timeoutMs);
            answers.set(id, (value) => {
              clearTimeout(timer);
              answers.delete(id);
              resolve(value);
            });
            w.send({ ...msg, id });
          }),
      );
      // A worker that did not answer in time (busy, or just replaced) is left out of this answer.
      return (await Promise.all(replies)).filter((v) => v !== undefined);
    },
    broadcast(msg, except) {
      for (const w of live) if (w !== except && w.isConnected()) w.send(msg);
    },
    stop,
  };
}

/** The worker's side: its primary, reached over the IPC channel cluster set up. */
export function connectToPrimary() {
  return {
    send(msg: WorkerMessage): void {
      if (process.connected) process.send?.(msg);
    },
    /** Answers the primary's ask(): msg.id goes back with the value. */
    answer(msg: WorkerMessage, value: unknown): void {
      if (process.connected) process.send?.({ capig: 'answer', id: msg.id, value });
    },
    onMessage(handler: (msg: WorkerMessage) => void): void {
      process.on('message', (msg: unknown) => {
        if (isMessage(msg)) handler(msg);
      });
    },
    /** The primary is gone (killed): nobody publishes or relays any more. */
    onDisconnect(handler: () => void): void {
      process.once('disconnect', handler);
    },
  };
}
