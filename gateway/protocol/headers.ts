// Request/response headers and whole frames. A "frame" here is one Kafka message WITHOUT its 4-byte size
// prefix (what the network layer cuts); the encoders can write the prefix too ({ sizePrefix: true }).
//
// Request header v0: api key, api version, correlation id (ControlledShutdown v0 only); v1 adds the client
// id (int16-length nullable string); v2 (flexible request versions) keeps the client id non-compact and
// adds a tagged-field section. Response header v0: correlation id; v1 (flexible response versions, except
// ApiVersions which always answers with v0) adds a tagged-field section.

import { requestHeaderVersion, responseHeaderVersion } from './api-keys.ts';
import {
  type Layout,
  type Struct,
  type UnknownTaggedField,
  compileLayout,
  decodeWith,
  encodeWith,
  messageLayout,
  readStruct,
} from './codec.ts';
import { ProtocolError, truncated } from './errors.ts';
import { RequestHeader as RequestHeaderSchema, ResponseHeader as ResponseHeaderSchema } from './messages/index.ts';
import { Reader } from './reader.ts';
import type { HeaderSchema } from './schema.ts';
import { inVersions } from './versions.ts';
import { Writer } from './writer.ts';

export interface RequestHeader {
  requestApiKey: number;
  requestApiVersion: number;
  correlationId: number;
  /** '' in header v0, which has no client id. */
  clientId: string | null;
  _unknownTagged?: UnknownTaggedField[];
}

export interface ResponseHeader {
  correlationId: number;
  _unknownTagged?: UnknownTaggedField[];
}

function headerLayouts(schema: HeaderSchema): Layout[] {
  const out: Layout[] = [];
  for (let v = 0; inVersions(schema.validVersions, v); v++) {
    out[v] = compileLayout(schema.fields, v, inVersions(schema.flexibleVersions, v), `${schema.name} v${v}`);
  }
  return out;
}

const REQUEST_HEADERS = headerLayouts(RequestHeaderSchema);
const RESPONSE_HEADERS = headerLayouts(ResponseHeaderSchema);

export function requestHeaderLayout(headerVersion: number): Layout {
  const l = REQUEST_HEADERS[headerVersion];
  if (!l) throw new ProtocolError('unsupported-version', `request header v${headerVersion} does not exist`);
  return l;
}

export function responseHeaderLayout(headerVersion: number): Layout {
  const l = RESPONSE_HEADERS[headerVersion];
  if (!l) throw new ProtocolError('unsupported-version', `response header v${headerVersion} does not exist`);
  return l;
}

function readHeader(layout: Layout, frame: Buffer): { header: Struct; bodyOffset: number } {
  if (!Buffer.isBuffer(frame)) throw new ProtocolError('invalid-value', 'frame is not a Buffer');
  const r = new Reader(frame);
  try {
    const header = readStruct(r, layout);
    return { header, bodyOffset: r.pos };
  } catch (e) {
    if (e instanceof ProtocolError) e.inMessage(layout.label);
    throw e;
  }
}

/**
 * Decodes the request header (its version follows from the api key and version it starts with).
 * ProtocolError for an unknown api key or a version no definition ever had.
 */
export function decodeRequestHeader(frame: Buffer): { header: RequestHeader; headerVersion: number; bodyOffset: number } {
  if (!Buffer.isBuffer(frame)) throw new ProtocolError('invalid-value', 'frame is not a Buffer');
  if (frame.length < 4) throw truncated(4, frame.length).inMessage('RequestHeader');
  const headerVersion = requestHeaderVersion(frame.readInt16BE(0), frame.readInt16BE(2));
  const { header, bodyOffset } = readHeader(requestHeaderLayout(headerVersion), frame);
  return { header: header as RequestHeader, headerVersion, bodyOffset };
}

/** Decodes the response header; the api key and version come from the request it answers. */
export function decodeResponseHeader(
  frame: Buffer,
  apiKey: number,
  apiVersion: number,
): { header: ResponseHeader; headerVersion: number; bodyOffset: number } {
  const headerVersion = responseHeaderVersion(apiKey, apiVersion);
  const { header, bodyOffset } = readHeader(responseHeaderLayout(headerVersion), frame);
  return { header: header as ResponseHeader, headerVersion, bodyOffset };
}

export interface DecodedRequest {
  header: RequestHeader;
  body: Struct;
}

export interface DecodedResponse {
  header: ResponseHeader;
  body: Struct;
}

/** Decodes a whole request frame: header and body. */
export function decodeRequestFrame(frame: Buffer): DecodedRequest {
  const { header, bodyOffset } = decodeRequestHeader(frame);
  const body = decodeWith(messageLayout(header.requestApiKey, header.requestApiVersion, 'request'), frame, bodyOffset);
  return { header, body };
}

/** Decodes a whole response frame for a request of `apiKey` at `apiVersion`. */
export function decodeResponseFrame(frame: Buffer, apiKey: number, apiVersion: number): DecodedResponse {
  const { header, bodyOffset } = decodeResponseHeader(frame, apiKey, apiVersion);
  const body = decodeWith(messageLayout(apiKey, apiVersion, 'response'), frame, bodyOffset);
  return { header, body };
}

export interface EncodeOptions {
  /** Write the 4-byte size prefix in front of the frame (ready for the socket). */
  sizePrefix?: boolean;
}

function encodeFrame(headerLayout: Layout, header: unknown, bodyLayout: Layout, body: unknown, opts?: EncodeOptions): Buffer {
  const w = new Writer(512);
  if (opts?.sizePrefix) w.pos = 4;
  encodeWith(headerLayout, header, w);
  const out = encodeWith(bodyLayout, body, w);
  if (opts?.sizePrefix) out.writeInt32BE(out.length - 4, 0);
  return out;
}

/** Encodes a request frame; the header's api key and version select the body layout. */
export function encodeRequestFrame(header: RequestHeader, body: Struct, opts?: EncodeOptions): Buffer {
  if (header === null || typeof header !== 'object') throw new ProtocolError('invalid-value', 'request header expected');
  const { requestApiKey: apiKey, requestApiVersion: version } = header;
  const hv = requestHeaderVersion(apiKey, version);
  return encodeFrame(requestHeaderLayout(hv), header, messageLayout(apiKey, version, 'request'), body, opts);
}

/** Encodes a response frame answering a request of `apiKey` at `apiVersion`. */
export function encodeResponseFrame(
  header: ResponseHeader,
  body: Struct,
  apiKey: number,
  apiVersion: number,
  opts?: EncodeOptions,
): Buffer {
  const hv = responseHeaderVersion(apiKey, apiVersion);
  return encodeFrame(responseHeaderLayout(hv), header, messageLayout(apiKey, apiVersion, 'response'), body, opts);
}
