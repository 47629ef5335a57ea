/** POSTs JSON to the console with the session's CSRF token (the console refuses a POST without it). */
export async function postJson(url: string, csrf: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  // The console's own words when it says why (a JSON `error`), else the status.
  if (!res.ok) {
    const said = (await res.json().catch(() => undefined)) as { error?: unknown } | undefined;
    throw new Error(typeof said?.error === 'string' ? said.error : `${res.status} ${res.statusText}`);
  }
  return res.json();
}

/** An element with its text (never HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = '', className = ''): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}
