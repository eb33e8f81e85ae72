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
}

export function createHttpServer(app: RequestListener, logger: Logger): Server {
  const server = createServer(app);
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
