// The embedded engine keeps the output a statement wrote before it failed (a timeout, a result
// limit) and hands it to the next statement on the connection as part of that one's result:
// another caller's rows. So every statement on the connection runs one after another (the
// engine runs one at a time anyway), and after a failure a marker statement reads the leftover
// out before anything else may run.
const MARKER = 'sluice-connection-clean';
const MAX_FLUSHES = 5;

interface Exec {
  exec(params: { query: string }): Promise<{ stream: AsyncIterable<Buffer | string> }>;
}

export class StatementQueue {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly flush: () => Promise<boolean>) {}

  run<T>(statement: () => Promise<T>): Promise<T> {
    const result = this.tail.then(async () => {
      try {
        return await statement();
      } catch (err) {
        // Read out what the failed statement left before the next one can receive it.
        for (let i = 0; i < MAX_FLUSHES && !(await this.flush().catch(() => false)); i++);
        throw err;
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}

async function text(stream: AsyncIterable<Buffer | string>): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += chunk.toString();
  return out;
}

/** True when the connection answered the marker statement with exactly its own output. */
export function flushWith(connection: Exec): () => Promise<boolean> {
  return async () => {
    const { stream } = await connection.exec({ query: `SELECT '${MARKER}' FORMAT TabSeparated` });
    return (await text(stream)).trim() === MARKER;
  };
}

const QUEUED = new Set(['query', 'exec', 'command', 'insert']);

/** The connection with every statement method going through `queue`. */
export function queuedConnection<C extends object>(connection: C, queue: StatementQueue): C {
  return new Proxy(connection, {
    // The connection keeps private fields: its methods and getters must run on it, not on the proxy.
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...a: unknown[]) => unknown;
      if (typeof prop !== 'string' || !QUEUED.has(prop)) return method.bind(target);
      return (...args: unknown[]) => queue.run(() => method.apply(target, args) as Promise<unknown>);
    },
  });
}
