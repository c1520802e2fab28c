/**
 * fetch()'s shape over node:http/https, because the global fetch cannot be given a CA: the
 * manager's HTTPS certificate is signed by the cluster's own CA, which a context carries.
 * Network failures reject with the Node error as `cause`, as fetch does.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

export interface RequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  ca: string | null;
}

export function httpFetch(url: URL, init: RequestInit): Promise<Response> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: init.method, headers: init.headers, ...(init.ca ? { ca: init.ca } : {}) }, (res) => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      const body = res.statusCode === 204 || res.statusCode === 304 ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
      resolve(new Response(body, { status: res.statusCode ?? 500, statusText: res.statusMessage ?? '', headers }));
    });
    req.on('error', (err) => reject(Object.assign(new Error(`request to ${url.origin} failed`), { cause: err })));
    req.end(init.body);
  });
}
