import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BOT_INFO, TOKEN } from './telegram.js';

/**
 * Local HTTP servers that stand in for the Telegram Bot API (methods and its file endpoint) and
 * Slack (the Web API, and files.slack.com: the upload URLs it hands out and url_private
 * downloads), so the real adapters run end to end over real HTTP, through grammY, axios and fetch.
 */

export interface Part {
  name: string;
  filename?: string | undefined;
  contentType?: string | undefined;
  data: Buffer;
}

/** Splits a multipart/form-data body into its parts (enough of RFC 7578 for what clients send). */
export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: Part[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const chunk = body.subarray(start + 2, next - 2); // after CRLF, before CRLF
    const split = chunk.indexOf('\r\n\r\n');
    const head = chunk.subarray(0, split).toString('utf8');
    const name = /[;\s]name="([^"]*)"/.exec(head)?.[1] ?? '';
    // grammY writes the file name without quotes (filename=waybill.png).
    const quoted = /filename=(?:"([^"]*)"|([^;\r\n]+))/.exec(head);
    const filename = quoted ? (quoted[1] ?? quoted[2]) : undefined;
    const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
    parts.push({ name, filename, contentType: type, data: chunk.subarray(split + 4) });
    at = next;
  }
  return parts;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

async function listen(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return { url, close };
}

export interface TelegramCall {
  method: string;
  /** JSON fields, or the text fields of a multipart request. */
  fields: Record<string, string>;
  /** Files uploaded with the call (multipart), by field. */
  files: Part[];
}

/** The Bot API: records calls, serves files registered with `addFile`, and fails sends on request. */
export async function telegramStandIn() {
  const calls: TelegramCall[] = [];
  /** file_id → where Telegram keeps it (file_path) and its bytes. */
  const files = new Map<string, { path: string; bytes: Buffer }>();
  const downloads: string[] = [];
  let messageId = 100;
  let sendFailures = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const path = req.url ?? '';
      const file = /^\/file\/bot[^/]+\/(.+)$/.exec(path);
      if (req.method === 'GET' && file) {
        downloads.push(file[1] ?? '');
        const bytes = [...files.values()].find((f) => f.path === file[1])?.bytes;
        if (!bytes) return json(res, 404, { ok: false });
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
        return res.end(bytes);
      }
      const body = await bodyOf(req);
      const method = path.split('/').pop() ?? '';
      const type = req.headers['content-type'] ?? '';
      const parts = type.startsWith('multipart/') ? parseMultipart(body, type) : [];
      const fields: Record<string, string> = parts.length
        ? Object.fromEntries(
            parts.filter((p) => p.filename === undefined).map((p) => [p.name, p.data.toString('utf8')]),
          )
        : (JSON.parse(body.toString('utf8') || '{}') as Record<string, string>);
      calls.push({ method, fields, files: parts.filter((p) => p.filename !== undefined) });
      if (method === 'getMe') return json(res, 200, { ok: true, result: BOT_INFO });
      if (method === 'getFile') {
        const id = fields.file_id ?? '';
        const f = files.get(id);
        if (!f) return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' });
        return json(res, 200, {
          ok: true,
          result: { file_id: id, file_unique_id: `u${id}`, file_size: f.bytes.length, file_path: f.path },
        });
      }
      if (method.startsWith('send') && sendFailures > 0) {
        sendFailures--;
        return json(res, 502, { ok: false, error_code: 502, description: 'Bad Gateway' });
      }
      if (method.startsWith('send'))
        return json(res, 200, {
          ok: true,
          result: { message_id: ++messageId, date: 0, chat: { id: Number(fields.chat_id), type: 'private' } },
        });
      return json(res, 200, { ok: true, result: true });
    })();
  });
  const { url, close } = await listen(server);
  return {
    url,
    close,
    calls,
    downloads,
    /** Makes a file downloadable under this file_id, kept at `path` (Telegram's file_path). */
    addFile(id: string, bytes: Buffer, path = `photos/file_${files.size}.jpg`) {
      files.set(id, { path, bytes });
    },
    of: (method: string) => calls.filter((c) => c.method === method),
    /** Makes the next send calls (sendMessage, sendPhoto, …) fail with a 502. */
    failSends(times: number) {
      sendFailures = times;
    },
    token: TOKEN,
  };
}

export interface SlackCall {
  method: string;
  body: Record<string, any>;
}

/** Slack: the Web API (`/api/…`) on one server, and files.slack.com (uploads, downloads) on another, as in production. */
export async function slackStandIn(options: { cardTs: string; token: string }) {
  const calls: SlackCall[] = [];
  const uploads: Array<{ fileId: string; body: Buffer }> = [];
  const downloads: Array<{ path: string; authorization: string | undefined }> = [];
  const served = new Map<string, Buffer>();
  let uploadFailures = 0;
  let onComplete: () => void = () => {};
  let n = 0;
  const files = createServer((req, res) => {
    void (async () => {
      const path = req.url ?? '';
      if (req.method === 'GET') {
        downloads.push({ path, authorization: req.headers.authorization });
        const bytes = served.get(path);
        // Without the bot token Slack answers with its sign-in page, not the file.
        if (req.headers.authorization !== `Bearer ${options.token}` || !bytes) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return res.end('<html>Sign in to Slack</html>');
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
        return res.end(bytes);
      }
      const body = await bodyOf(req);
      if (uploadFailures > 0) {
        uploadFailures--;
        res.writeHead(500, { 'content-type': 'text/plain' });
        return res.end('upload failed');
      }
      uploads.push({ fileId: path.split('/').pop() ?? '', body });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK - 1');
    })();
  });
  const filesHost = await listen(files);
  const api = createServer((req, res) => {
    void (async () => {
      const raw = (await bodyOf(req)).toString('utf8');
      const method = (req.url ?? '').split('/').pop() ?? '';
      const body: Record<string, any> = (req.headers['content-type'] ?? '').includes('json')
        ? (JSON.parse(raw || '{}') as Record<string, any>)
        : Object.fromEntries(new URLSearchParams(raw));
      for (const key of ['blocks', 'files']) if (typeof body[key] === 'string') body[key] = JSON.parse(body[key]);
      calls.push({ method, body });
      switch (method) {
        case 'auth.test':
          return json(res, 200, { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' });
        case 'users.info':
          return json(res, 200, {
            ok: true,
            user: { id: body.user, name: body.user, profile: { display_name: '小王' } },
          });
        case 'chat.postMessage':
          return json(res, 200, {
            ok: true,
            channel: body.channel,
            ts: n++ === 0 ? options.cardTs : `1795000000.0003${n}`,
          });
        case 'files.getUploadURLExternal': {
          const id = `FUP${calls.filter((c) => c.method === method).length}`;
          return json(res, 200, { ok: true, upload_url: `${filesHost.url}/upload/v1/${id}`, file_id: id });
        }
        case 'files.completeUploadExternal':
          onComplete();
          return json(res, 200, { ok: true, files: (body.files as Array<{ id: string }>).map((f) => ({ id: f.id })) });
        default:
          return json(res, 200, { ok: true });
      }
    })();
  });
  const apiHost = await listen(api);
  return {
    /** SLACK_API_URL for the adapter. */
    apiUrl: `${apiHost.url}/api/`,
    filesUrl: filesHost.url,
    calls,
    uploads,
    downloads,
    of: (method: string) => calls.filter((c) => c.method === method),
    /** Makes the next upload POSTs fail with a 500, as files.slack.com sometimes does. */
    failUploads(times: number) {
      uploadFailures = times;
    },
    /** Runs `hook` when files.completeUploadExternal is answered (the file is then in the thread). */
    onComplete(hook: () => void) {
      onComplete = hook;
    },
    /** Serves a file an agent shared, at its url_private_download; returns that URL. */
    serve(fileId: string, name: string, bytes: Buffer): string {
      const path = `/files-pri/T1-${fileId}/download/${encodeURIComponent(name)}`;
      served.set(path, bytes);
      return `${filesHost.url}${path}`;
    },
    close: async () => {
      await apiHost.close();
      await filesHost.close();
    },
  };
}
