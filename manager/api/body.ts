/** Request bodies: JSON of at most 1 MiB, validated with zod; a bad one is a 400 naming the field. */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { badRequest, payloadTooLarge } from './errors.js';
import { firstIssue } from '../../shared/zod-issue.js';

export const MAX_BODY_BYTES = 1024 * 1024;

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw payloadTooLarge(`request body of ${declared} bytes exceeds ${limit} bytes`);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    size += part.byteLength;
    if (size > limit) throw payloadTooLarge(`request body exceeds ${limit} bytes`);
    parts.push(part);
  }
  return Buffer.concat(parts).toString('utf8');
}

export function validate<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { where, message } = firstIssue(result.error, '(body)');
  throw badRequest(`${where}: ${message}`);
}

export async function readJson<T>(req: IncomingMessage, schema: z.ZodType<T>, limit = MAX_BODY_BYTES): Promise<T> {
  const text = await readBody(req, limit);
  let json: unknown;
  try {
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw badRequest('request body is not valid JSON');
  }
  return validate(schema, json);
}
