// receive: the request body, bounded. uWS hands out chunks that die after the callback, so
// each is copied; a body over the limit is answered 413 without being read further.
import type { HttpResponse } from 'uWebSockets.js';
import { SluiceError } from '../core/errors.js';

export interface Aborted {
  aborted: boolean;
}

export function readBody(res: HttpResponse, maxBytes: number, declaredLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (declaredLength > maxBytes) {
      reject(new SluiceError('SLUICE_E_BODY_TOO_LARGE', `Body of ${declaredLength} bytes is larger than ${maxBytes}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    res.onData((chunk, isLast) => {
      if (done) return;
      size += chunk.byteLength;
      if (size > maxBytes) {
        done = true;
        reject(new SluiceError('SLUICE_E_BODY_TOO_LARGE', `Body is larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(Buffer.from(chunk.slice(0)));
      if (isLast) {
        done = true;
        resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
      }
    });
  });
}
