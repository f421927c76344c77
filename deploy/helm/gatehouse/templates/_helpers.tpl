{{/* Names and labels. */}}
{{- define "gatehouse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gatehouse.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "gatehouse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gatehouse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "gatehouse.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "gatehouse.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The chart makes the TLS Secret when it is given the certificate, else uses an existing one. */}}
{{- define "gatehouse.tlsSecretName" -}}
{{- if .Values.tls.certificate -}}
{{- printf "%s-tls" (include "gatehouse.fullname" .) -}}
{{- else -}}
{{- required "tls.existingSecret or tls.certificate is needed for a TLS listener" .Values.tls.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "gatehouse.policiesConfigMapName" -}}
{{- default (printf "%s-policies" (include "gatehouse.fullname" .)) .Values.authorization.existingConfigMap -}}
{{- end -}}

{{/* The routing mode, checked once: everything else branches on it. */}}
{{- define "gatehouse.sni" -}}
{{- $mode := .Values.listener.routing -}}
{{- if not (has $mode (list "port-per-broker" "sni")) -}}
{{- fail (printf "listener.routing must be port-per-broker or sni, not %v" $mode) -}}
{{- end -}}
{{- if and (eq $mode "sni") (not .Values.listener.tls.enabled) -}}
{{- fail "listener.routing sni needs listener.tls.enabled" -}}
{{- end -}}
{{- if eq $mode "sni" }}true{{ end -}}
{{- end -}}

{{/*
Client-facing ports as a list of {name, port}: the bootstrap port and one per broker
(port-per-broker), or the one TLS port (sni). The Deployment and the Services use the same list.
*/}}
{{- define "gatehouse.clientPorts" -}}
{{- if include "gatehouse.sni" . }}
- name: tls
  port: {{ .Values.listener.port | int }}
{{- else }}
- name: bootstrap
  port: {{ .Values.listener.port | int }}
{{- range .Values.listener.brokerIds }}
- name: {{ printf "broker-%d" (int .) }}
  port: {{ add (int $.Values.listener.basePort) (int .) }}
{{- end }}
{{- end }}
{{- end -}}
