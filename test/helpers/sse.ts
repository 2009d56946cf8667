/** Reads a Streamable HTTP response (SSE or JSON) and returns the JSON-RPC messages in it. */
export async function readMessages(res: Response): Promise<Array<Record<string, unknown>>> {
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return text
      .split('\n')
      .filter((l) => l.startsWith('data:') && l.slice(5).trim())
      .map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>);
  }
  return text ? [JSON.parse(text) as Record<string, unknown>] : [];
}
