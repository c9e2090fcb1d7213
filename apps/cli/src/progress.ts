import type { Session } from './context';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Progress {
  /** Replaces the label, e.g. with a running count. */
  set(label: string): void;
  stop(): void;
}

/** A spinner on stderr while long work runs; nothing at all when stderr is not a terminal. */
export function startProgress(session: Session, label: string): Progress {
  const io = session.io;
  if (!io.stderrIsTTY) return { set: () => undefined, stop: () => undefined };
  let text = label;
  let i = 0;
  const draw = () => io.stderr(`\r\x1b[2K${FRAMES[i++ % FRAMES.length]} ${text}`);
  draw();
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    set: (next) => {
      text = next;
      draw();
    },
    stop: () => {
      clearInterval(timer);
      io.stderr('\r\x1b[2K');
    },
  };
}

export async function withProgress<T>(session: Session, label: string, work: () => Promise<T>): Promise<T> {
  const progress = startProgress(session, label);
  try {
    return await work();
  } finally {
    progress.stop();
  }
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** One page, or with `all` every page (following nextCursor) with a running count on the terminal. */
export async function fetchPages<T>(
  session: Session,
  path: string,
  query: Record<string, string | number | undefined>,
  all: boolean,
  noun: string,
): Promise<Page<T>> {
  const client = session.client();
  if (!all) return client.get<Page<T>>(path, query);
  const progress = startProgress(session, `fetching ${noun}…`);
  try {
    const items: T[] = [];
    let cursor = query.cursor as string | undefined;
    for (let pages = 0; pages < 10_000; pages++) {
      const page = await client.get<Page<T>>(path, { ...query, cursor });
      items.push(...page.items);
      progress.set(`fetching ${noun}… ${items.length}`);
      if (!page.nextCursor || page.nextCursor === cursor) break;
      cursor = page.nextCursor;
    }
    return { items };
  } finally {
    progress.stop();
  }
}
