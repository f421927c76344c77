"""Python Kafka clients over SASL, driven by JSON: confluent-kafka-python (librdkafka) and kafka-python.

Usage: python sasl_clients.py '<json>' where the JSON is
  {"library": "confluent" | "kafka-python", "bootstrap": "host:port", "protocol": "SASL_PLAINTEXT" | "SASL_SSL",
   "caFile": pem | null, "mechanism": "GSSAPI" | "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512",
   "principal", "keytab", "serviceName" (GSSAPI) | "username", "password" (the others),
   "action": "produce" | "consume", "topic": name, "values": [text...] (produce), "group", "count" (consume)}
and prints one JSON line:
  produce -> {"error": null | "ERROR_NAME", "detail": text}
  consume -> {"error": null | "ERROR_NAME", "detail": text, "values": [text...]}
  (kafka-python adds "saslHandshakes": the SaslHandshake request versions it sent, e.g. ["SaslHandShakeRequest_v0"])
kafka-python takes no keytab: the caller fills the credential cache (kinit) and sets KRB5CCNAME.
"""
import json
import sys
import time

TIMEOUT_S = 20


def confluent_config(req):
    conf = {
        "bootstrap.servers": req["bootstrap"],
        "security.protocol": req["protocol"].lower(),
        "sasl.mechanisms": req["mechanism"],
    }
    if req.get("caFile"):
        conf["ssl.ca.location"] = req["caFile"]
    if req["mechanism"] == "GSSAPI":
        conf.update({"sasl.kerberos.keytab": req["keytab"], "sasl.kerberos.principal": req["principal"],
                     "sasl.kerberos.service.name": req["serviceName"]})
    else:
        conf.update({"sasl.username": req["username"], "sasl.password": req["password"]})
    return conf


def confluent(req):
    from confluent_kafka import Consumer, KafkaError, Producer

    errors = []

    def on_error(err):
        # Authentication failures arrive here, not as a delivery report of their own.
        print(f"error_cb: {err.code()} {err.name()} {err.str()}", file=sys.stderr)
        if err.code() in (KafkaError._AUTHENTICATION, KafkaError.SASL_AUTHENTICATION_FAILED):
            errors.append(err)

    if req["action"] == "produce":
        outcome = []
        producer = Producer({**confluent_config(req), "acks": "all", "message.timeout.ms": TIMEOUT_S * 1000,
                             "error_cb": on_error})

        def delivered(err, _msg):
            outcome.append(err)

        for value in req["values"]:
            producer.produce(req["topic"], value.encode(), on_delivery=delivered)
        # Flush in slices: an authentication failure ends the wait (librdkafka would keep retrying).
        deadline = time.time() + TIMEOUT_S + 5
        while producer.flush(0.5) > 0 and time.time() < deadline and not errors:
            pass
        failed = [e for e in outcome if e is not None] + errors
        if failed:
            return {"error": failed[0].name(), "detail": failed[0].str()}
        if len(outcome) != len(req["values"]):
            return {"error": "NO_DELIVERY_REPORT", "detail": f"{len(outcome)} of {len(req['values'])} reported"}
        return {"error": None, "detail": ""}

    consumer = Consumer({**confluent_config(req), "group.id": req["group"], "auto.offset.reset": "earliest",
                         "enable.auto.commit": True, "error_cb": on_error})
    consumer.subscribe([req["topic"]])
    values = []
    deadline = time.time() + TIMEOUT_S
    try:
        while len(values) < req["count"] and time.time() < deadline and not errors:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    continue
                return {"error": msg.error().name(), "detail": msg.error().str(), "values": values}
            values.append(msg.value().decode())
    finally:
        consumer.close()
    if errors:
        return {"error": errors[0].name(), "detail": errors[0].str(), "values": values}
    return {"error": None if len(values) >= req["count"] else "TIMED_OUT", "detail": "", "values": values}


def kafka_python_config(req):
    conf = {
        "bootstrap_servers": req["bootstrap"],
        "security_protocol": req["protocol"],
        "sasl_mechanism": req["mechanism"],
    }
    if req.get("caFile"):
        conf["ssl_cafile"] = req["caFile"]
    if req["mechanism"] == "GSSAPI":
        conf["sasl_kerberos_service_name"] = req["serviceName"]
    else:
        conf.update({"sasl_plain_username": req["username"], "sasl_plain_password": req["password"]})
    return conf


def kafka_error(exc):
    # kafka-python's broker errors carry the Kafka error name as their `message` class attribute.
    name = getattr(type(exc), "message", None)
    return {"error": name if isinstance(name, str) and name.isupper() else type(exc).__name__, "detail": str(exc)}


def record_sasl_handshakes():
    """Records the SaslHandshake request versions kafka-python sends (the test checks it took the v0 path)."""
    from kafka import conn

    seen = set()
    send = conn.BrokerConnection._send

    def recording_send(self, request, *args, **kwargs):
        name = type(request).__name__
        if name.startswith("SaslHandShakeRequest"):
            seen.add(name)
        return send(self, request, *args, **kwargs)

    conn.BrokerConnection._send = recording_send
    return seen


def kafka_python(req):
    from kafka import KafkaConsumer, KafkaProducer

    handshakes = record_sasl_handshakes()
    outcome = kafka_python_run(req, KafkaConsumer, KafkaProducer)
    return {**outcome, "saslHandshakes": sorted(handshakes)}


def kafka_python_run(req, KafkaConsumer, KafkaProducer):
    if req["action"] == "produce":
        try:
            producer = KafkaProducer(**kafka_python_config(req), acks="all", max_block_ms=TIMEOUT_S * 1000)
            try:
                for value in req["values"]:
                    producer.send(req["topic"], value.encode()).get(timeout=TIMEOUT_S)
            finally:
                producer.close(timeout=5)
        except Exception as exc:  # the client's error is the answer
            return kafka_error(exc)
        return {"error": None, "detail": ""}

    values = []
    try:
        consumer = KafkaConsumer(req["topic"], **kafka_python_config(req), group_id=req["group"],
                                 auto_offset_reset="earliest", consumer_timeout_ms=TIMEOUT_S * 1000)
        try:
            for msg in consumer:
                values.append(msg.value.decode())
                if len(values) >= req["count"]:
                    break
        finally:
            consumer.close()
    except Exception as exc:
        return {**kafka_error(exc), "values": values}
    return {"error": None if len(values) >= req["count"] else "TIMED_OUT", "detail": "", "values": values}


def main():
    req = json.loads(sys.argv[1])
    run = confluent if req["library"] == "confluent" else kafka_python
    print(json.dumps(run(req)))


if __name__ == "__main__":
    main()
