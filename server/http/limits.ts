import type http from 'node:http';

/**
 * Request-body limits per kind of route, enforced on the declared length before a byte is read
 * (a 200 MB body posted to the sign-in form used to be read in full). Uploads have UPLOAD_MAX_MB,
 * also counted while they stream, since a chunked body declares no length.
 */
export const BODY_LIMITS = {
  /** sign-in: a username and a password */
  signIn: 8 * 1024,
  /** workspace forms: metadata with a Markdown description, unit and account forms */
  form: 256 * 1024,
  /** JSON bodies of the Action API */
  json: 1024 * 1024,
} as const;

/** Room for the multipart framing and the text fields around an upload's file. */
export const MULTIPART_OVERHEAD = 1024 * 1024;

const hasBody = (req: http.IncomingMessage) => req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;

/**
 * Answers 413 (declared length over the limit) or 411 (no declared length where one is required) and
 * returns true; the connection is then closed rather than read. Returns false when the body may be read.
 */
export function refuseBody(req: http.IncomingMessage, res: http.ServerResponse, limit: number, opts: { requireLength: boolean }): boolean {
  if (!hasBody(req)) return false;
  const declared = req.headers['content-length'];
  const length = declared === undefined ? null : Number(declared);
  const answer = (status: number, message: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    res.end(message);
    req.socket.once('finish', () => req.socket.destroy());
    return true;
  };
  if (length === null) {
    return opts.requireLength ? answer(411, 'Cần tiêu đề Content-Length cho yêu cầu này.') : false;
  }
  if (!Number.isSafeInteger(length) || length < 0) return answer(400, 'Content-Length không hợp lệ.');
  if (length > limit) return answer(413, `Nội dung gửi lên quá lớn (giới hạn ${formatLimit(limit)}).`);
  return false;
}

export function formatLimit(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1048576)} MB` : `${Math.round(bytes / 1024)} KB`;
}
