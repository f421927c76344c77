// Public surface of the protocol layer (sans-IO; imports nothing else of the gateway).

export { ProtocolError, type ProtocolErrorKind } from './errors.ts';
export { Reader } from './reader.ts';
export { Writer } from './writer.ts';
export {
  API_KEY,
  type ApiName,
  allApiKeys,
  apiKeyOf,
  apiName,
  apiSchema,
  firstFlexibleVersion,
  isFlexibleVersion,
  isSupportedVersion,
  isUnstableVersion,
  requestHeaderVersion,
  responseHeaderVersion,
  servedToClients,
  versionRange,
} from './api-keys.ts';
export {
  type MessageKind,
  type Struct,
  type UnknownTaggedField,
  ZERO_UUID,
  decode,
  decodeRequestBody,
  decodeResponseBody,
  encode,
  encodeRequestBody,
  encodeResponseBody,
  decodeField,
  encodeField,
  type Op as FieldOp,
} from './codec.ts';
export {
  type DecodedRequest,
  type DecodedResponse,
  type EncodeOptions,
  type RequestHeader,
  type ResponseHeader,
  decodeRequestFrame,
  decodeRequestHeader,
  decodeResponseFrame,
  decodeResponseHeader,
  encodeRequestFrame,
  encodeResponseFrame,
} from './headers.ts';
export {
  type ProducePartitionPeek,
  type ProducePeek,
  type ProduceTopicPeek,
  type RequestHeaderPeek,
  peekApiKey,
  peekApiVersion,
  peekCorrelationId,
  peekProduce,
  peekProduceAcks,
  peekProduceByDecoding,
  peekRequestHeader,
  peekResponseCorrelationId,
} from './peek.ts';
export {
  type BatchHeader,
  type PartitionRecordCounts,
  type RecordCounts,
  Compression,
  countFetchRecords,
  countProduceRecords,
  countRecords,
  isTransactional,
  readBatchHeader,
} from './records.ts';
export {
  type Chunks,
  type ElementSpan,
  type FieldSpan,
  type ResponseWalk,
  type WalkOptions,
  responseHasTaggedField,
  topLevelField,
  topLevelTag,
  walkResponse,
  walkFetchRecords,
  type FetchTopicRecords,
} from './walk.ts';
export { DEFAULT_ERROR_MESSAGE, ErrorCode, type ErrorCodeName, errorName } from './error-codes.ts';
export type * from './messages/types.ts';
export {
  type RequestBody,
  type ResponseBody,
  type TypedApiKey,
  type TypedRequest,
  decodeTypedRequestBody,
  decodeTypedResponseBody,
  isRequestOf,
  responseBodyOf,
} from './typed-bodies.ts';
