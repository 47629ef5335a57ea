import { DeliveryError, FileTooLargeError } from '../bots/errors.js';

/**
 * Reads a file over HTTP(S) into memory for a transfer between platforms, never more than
 * `maxBytes`: a Content-Length over the limit stops it before the body is read, and a body that
 * runs past it is cut off (FileTooLargeError), so an oversize file costs at most the limit.
 * Answers: 2xx → the bytes and the Content-Type; 429 and 5xx → DeliveryError `later` (with
 * Retry-After when given); any other status → DeliveryError `never`; a network error → `later`.
 */
export async function download(
  url: string,
  options: {
    maxBytes: number;
    headers?: Record<string, string>;
    /** What the platform is called in messages ("Telegram", "Slack"). */
    platform: string;
    fetch?: typeof fetch | undefined;
  },
): Promise<{ bytes: Buffer; contentType: string | undefined }> {
  const { maxBytes, platform } = options;
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(url, { headers: options.headers ?? {}, redirect: 'follow' });
  } catch (err) {
    throw new DeliveryError(`Cannot download the file from ${platform}: ${String(err)}`, { retry: 'later' });
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    const transient = res.status === 429 || res.status >= 500;
    const retryAfter = Number(res.headers.get('retry-after'));
    throw new DeliveryError(`${platform} answered ${res.status} to the file download`, {
      retry: transient ? 'later' : 'never',
      ...(transient && retryAfter > 0 ? { retryAfterSec: retryAfter } : {}),
    });
  }
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new FileTooLargeError(maxBytes, declared);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      size += r.value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new FileTooLargeError(maxBytes);
      }
      chunks.push(Buffer.from(r.value));
    }
  }
  return { bytes: Buffer.concat(chunks), contentType: res.headers.get('content-type') ?? undefined };
}
