"""confluent-kafka-python's AdminClient and Producer against one bootstrap over mTLS, driven by JSON.

Usage: python confluent_acls.py '<json>' where the JSON is
  {"bootstrap": "host:port", "ca": file, "cert": file, "key": file, "action": ..., ...}
actions:
  create   {"bindings": [binding...]}            -> {"results": [null | "ERROR_NAME: message", ...]}
  describe {"filter": binding-filter}           -> {"bindings": [binding...]} or {"error": "..."}
  delete   {"filters": [binding-filter...]}     -> {"results": [{"deleted": [binding...]} | {"error": "..."}]}
  produce  {"topic": name, "value": text}       -> {"error": null | "ERROR_NAME"}
A binding is {"type", "name", "pattern", "principal", "host", "operation", "permission"} with the
enum names of confluent_kafka.admin (TOPIC, LITERAL, READ, ALLOW...); a filter may use ANY/MATCH and null.
"""
import json
import sys

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import (AclBinding, AclBindingFilter, AclOperation, AclPermissionType,
                                   AdminClient, ResourcePatternType, ResourceType)


def ssl_config(req):
    return {
        "bootstrap.servers": req["bootstrap"],
        "security.protocol": "ssl",
        "ssl.ca.location": req["ca"],
        "ssl.certificate.location": req["cert"],
        "ssl.key.location": req["key"],
    }


def binding_args(b):
    return (ResourceType[b["type"]], b["name"], ResourcePatternType[b["pattern"]], b["principal"], b["host"],
            AclOperation[b["operation"]], AclPermissionType[b["permission"]])


def binding_json(b):
    return {"type": b.restype.name, "name": b.name, "pattern": b.resource_pattern_type.name, "principal": b.principal,
            "host": b.host, "operation": b.operation.name, "permission": b.permission_type.name}


def error_text(exc):
    err = exc.args[0] if isinstance(exc, KafkaException) and exc.args else None
    if isinstance(err, KafkaError):
        return f"{err.name()}: {err.str()}"
    return f"{type(exc).__name__}: {exc}"


def main():
    req = json.loads(sys.argv[1])
    action = req["action"]
    if action == "produce":
        outcome = {}
        producer = Producer({**ssl_config(req), "acks": "all", "message.timeout.ms": 15000})

        def delivered(err, _msg):
            outcome["error"] = None if err is None else err.name()

        producer.produce(req["topic"], req["value"].encode(), on_delivery=delivered)
        producer.flush(20)
        print(json.dumps({"error": outcome.get("error", "NO_DELIVERY_REPORT")}))
        return
    admin = AdminClient(ssl_config(req))
    if action == "create":
        bindings = [AclBinding(*binding_args(b)) for b in req["bindings"]]
        futures = admin.create_acls(bindings, request_timeout=15)
        results = []
        for b in bindings:
            try:
                futures[b].result()
                results.append(None)
            except Exception as exc:  # the per-creation error is the result
                results.append(error_text(exc))
        print(json.dumps({"results": results}))
    elif action == "describe":
        try:
            found = admin.describe_acls(AclBindingFilter(*binding_args(req["filter"])), request_timeout=15).result()
            print(json.dumps({"bindings": [binding_json(b) for b in found]}))
        except Exception as exc:
            print(json.dumps({"error": error_text(exc)}))
    elif action == "delete":
        filters = [AclBindingFilter(*binding_args(f)) for f in req["filters"]]
        futures = admin.delete_acls(filters, request_timeout=15)
        results = []
        for f in filters:
            try:
                results.append({"deleted": [binding_json(b) for b in futures[f].result()]})
            except Exception as exc:
                results.append({"error": error_text(exc)})
        print(json.dumps({"results": results}))
    else:
        raise SystemExit(f"unknown action {action}")


if __name__ == "__main__":
    main()
