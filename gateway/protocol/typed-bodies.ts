// Typed views of the codec's decoded bodies. The codec itself stays untyped (`Struct`); these functions
// only attach the generated interfaces (messages/<api>.ts, mapped by api key in messages/types.ts) to
// what it returns, so enforcers and rewriters read `body.topicData[0].name` with the compiler checking.

import { decodeRequestBody, decodeResponseBody } from './codec.ts';
import type { DecodedRequest, DecodedResponse, RequestHeader } from './headers.ts';
import type { RequestBodies, ResponseBodies } from './messages/types.ts';

export type { RequestBodies, ResponseBodies };
/** An api key the generated types know (every key of the tables). */
export type TypedApiKey = keyof RequestBodies & keyof ResponseBodies;
export type RequestBody<K extends TypedApiKey> = RequestBodies[K];
export type ResponseBody<K extends TypedApiKey> = ResponseBodies[K];

/** A decoded request frame whose header names api key K. */
export interface TypedRequest<K extends TypedApiKey> extends DecodedRequest {
  header: RequestHeader & { requestApiKey: K };
  body: RequestBodies[K];
}

export function decodeTypedRequestBody<K extends TypedApiKey>(bytes: Buffer, apiKey: K, version: number, offset = 0): RequestBodies[K] {
  return decodeRequestBody(bytes, apiKey, version, offset) as RequestBodies[K];
}

export function decodeTypedResponseBody<K extends TypedApiKey>(bytes: Buffer, apiKey: K, version: number, offset = 0): ResponseBodies[K] {
  return decodeResponseBody(bytes, apiKey, version, offset) as ResponseBodies[K];
}

/** Narrows a decoded request to api key K (the header says which API the body was decoded as). */
export function isRequestOf<K extends TypedApiKey>(req: DecodedRequest, apiKey: K): req is TypedRequest<K> {
  return req.header.requestApiKey === apiKey;
}

/**
 * The body of a decoded response to a request of api key K. A response frame does not carry its api key,
 * so the caller names the key it decoded the frame with (decodeResponseFrame's `apiKey`).
 */
export function responseBodyOf<K extends TypedApiKey>(res: DecodedResponse, apiKey: K): ResponseBodies[K] {
  void apiKey;
  return res.body as ResponseBodies[K];
}
