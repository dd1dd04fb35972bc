// A text/event-stream parser (the server-sent events wire format), fed chunks as they arrive.
/** Incremental text/event-stream parser (WHATWG SSE field rules). */
export function createSseParser(onMessage: (m: { event: string; data: string; id?: string }) => void): {
  push(chunk: string): void;
  lastEventId(): string | undefined;
  retryMs(): number | undefined;
} {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let lastId: string | undefined;
  let retry: number | undefined;
  const line = (l: string) => {
    if (l === '') {
      if (data.length > 0)
        onMessage({
          event: event || 'message',
          data: data.join('\n'),
          ...(lastId !== undefined ? { id: lastId } : {}),
        });
      event = '';
      data = [];
      return;
    }
    if (l.startsWith(':')) return;
    const i = l.indexOf(':');
    const field = i < 0 ? l : l.slice(0, i);
    let value = i < 0 ? '' : l.slice(i + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) lastId = value;
    else if (field === 'retry' && /^[0-9]+$/.test(value)) retry = Number(value);
  };
  return {
    push(chunk) {
      buffer += chunk;
      for (;;) {
        const m = /\r\n|\r|\n/.exec(buffer);
        if (m === null) break;
        // A trailing \r may be the first half of \r\n: wait for more.
        if (m[0] === '\r' && m.index === buffer.length - 1) break;
        line(buffer.slice(0, m.index));
        buffer = buffer.slice(m.index + m[0].length);
      }
      if (buffer.length > 1 << 20) buffer = ''; // a line over 1 MiB: drop it rather than grow forever
    },
    lastEventId: () => lastId,
    retryMs: () => retry,
  };
}
