/**
 * The HTTP server around the app. Errors Node meets before a request reaches Express (a header block
 * over --max-http-header-size, broken framing, a request that took too long to arrive) would get
 * Node's bare status line; here they get the same problem+json as every other failure.
 */
import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { problemBody } from './problem.js';

/** Node's parser and server error codes (llhttp `HPE_*`, `ERR_HTTP_*`) as our own. */
export function clientErrorProblem(code: string | undefined): AppError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new AppError(431, 'header_too_large', 'Request header fields too large', {
        detail: 'The request line and headers together exceed the limit this server accepts.',
      });
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return new AppError(408, 'request_timeout', 'Request timeout', {
        detail: 'The request did not arrive in time.',
      });
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new AppError(413, 'payload_too_large', 'Request body too large', {
        detail: 'The chunk extensions exceed the limit this server accepts.',
      });
    default:
      return new AppError(400, 'validation_failed', 'The request is not valid', {
        detail: 'The request is not well-formed HTTP/1.1.',
      });
  }
}

function answer(socket: Duplex, error: AppError): void {
  const requestId = randomUUID();
  const body = JSON.stringify(problemBody(error, requestId));
  socket.end(
    [
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
      'Content-Type: application/problem+json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-Request-Id: ${requestId}`,
      'Cache-Control: no-store',
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
  // The server keeps half-open sockets: a client that never reads (a slowloris, reliability check
  // L5) would hold this one for ever. A second is long enough for any client to take the answer.
  const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  socket.once('close', () => clearTimeout(timer));
}

/** How long a socket answered by `answer` may stay open for its client to read the answer. */
const CLOSE_GRACE_MS = 1000;

/** Longest request target (path and query) accepted; no operation needs more than a few hundred bytes. */
export const MAX_URL_BYTES = 8 * 1024;
/**
 * Node's defaults let a client take 60 s to send its headers and 300 s for the whole request, and
 * check only every 30 s: 300 sockets dripping a byte a second held the gateway's connections for a
 * minute (reliability check L5). Headers within 10 s, the request within 30 s, checked every second.
 */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;

export function createHttpServer(app: RequestListener, logger: Logger): Server {
  const server = createServer(
    {
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: 1000,
    },
    (req, res) => {
      // A target over the limit is 414 (RFC 9110 §15.5.15) before any routing or parsing (reliability check B3).
      if ((req.url ?? '').length > MAX_URL_BYTES) {
        const error = new AppError(414, 'uri_too_long', 'URI too long', {
          detail: `The request target exceeds the ${MAX_URL_BYTES} bytes this server accepts.`,
        });
        const requestId = randomUUID();
        res.writeHead(414, {
          'Content-Type': 'application/problem+json; charset=utf-8',
          'X-Request-Id': requestId,
          'X-Content-Type-Options': 'nosniff',
          'Cache-Control': 'no-store',
          Connection: 'close',
        });
        res.end(JSON.stringify(problemBody(error, requestId)));
        req.resume();
        return;
      }
      app(req, res);
    },
  );
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A reset peer cannot be answered; a socket already answering a request must not get a second reply.
    const busy = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || busy?.headersSent) {
      socket.destroy();
      return;
    }
    const error = clientErrorProblem(err.code);
    logger.info(
      { code: error.code, status: error.status, cause: err.code },
      'request refused by the HTTP parser',
    );
    answer(socket, error);
  });
  return server;
}
