/** The HTTP edge's error type lives with the lowest layer (sources and pipeline throw it too). */
export { HttpError, badPayload } from '../errors/http-error';
