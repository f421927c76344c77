// Shapes of the generated field tables in ./messages/ (written by ./codegen/generate.ts).
//
// Version sets use Kafka's own notation: "3+", "0-12", "none", or a comma list of those ("0-2,5+"),
// where "+" runs to the newest version the tables know. Field names are the JSON definition's names in
// camelCase; `type` is Kafka's type string ("int32", "[]string", "[]TopicProduceData", "Cursor", ...).

/** A default value as the definitions give it, already parsed (int64 → bigint, "null" → null). */
export type FieldDefault = number | bigint | string | boolean | null;

export interface FieldSchema {
  readonly name: string;
  readonly type: string;
  readonly versions: string;
  readonly nullableVersions?: string;
  readonly taggedVersions?: string;
  readonly tag?: number;
  /** Field-level override of the message's flexible versions ("none" for the request header's ClientId). */
  readonly flexibleVersions?: string;
  readonly default?: FieldDefault;
  readonly ignorable?: boolean;
  readonly mapKey?: boolean;
  readonly entityType?: string;
  readonly zeroCopy?: boolean;
  /** Present when `type` names a struct or an array of structs. */
  readonly fields?: readonly FieldSchema[];
}

export interface MessageSchema {
  readonly flexibleVersions: string;
  readonly fields: readonly FieldSchema[];
}

export interface ApiSchema {
  readonly apiKey: number;
  /** Name without the Request/Response suffix, from the newest definition ("ListConfigResources"). */
  readonly name: string;
  /** Union of the valid versions of every definition read ("none" when no version is valid). */
  readonly validVersions: string;
  /** Versions only ever shipped as `latestVersionUnstable`. */
  readonly unstableVersions?: string;
  readonly listeners: readonly string[];
  /** Which definition folder each version range was taken from, e.g. { "messages-4.3": "3-13", "messages-3.9": "0-2" }. */
  readonly sources: Readonly<Record<string, string>>;
  readonly request: MessageSchema;
  readonly response: MessageSchema;
}

export interface HeaderSchema {
  readonly name: string;
  readonly validVersions: string;
  readonly flexibleVersions: string;
  readonly fields: readonly FieldSchema[];
}
