/**
 * The API's one error shape, `{"error": {"code", "message"}}`, with the HTTP status it goes with.
 * Handlers throw ApiError; anything else thrown is a 500 whose message is not shown to clients.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string): ApiError => new ApiError(400, 'bad_request', message);
export const unauthorized = (message: string): ApiError => new ApiError(401, 'unauthorized', message);
export const notFound = (message: string): ApiError => new ApiError(404, 'not_found', message);
export const conflict = (message: string): ApiError => new ApiError(409, 'conflict', message);
export const payloadTooLarge = (message: string): ApiError => new ApiError(413, 'payload_too_large', message);

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(err: ApiError): ErrorBody {
  return { error: { code: err.code, message: err.message } };
}
