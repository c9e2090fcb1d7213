{{/*
Every workload template ranges over "agentry.units": the enabled services in
distributed/production mode, or the single "embedded" unit in embedded mode.
No template is written per service.
*/}}

{{- define "agentry.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "agentry.fullname" -}}
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

{{/* Name of one unit's objects: (dict "root" $ "name" "graph") -> <fullname>-graph */}}
{{- define "agentry.unitName" -}}
{{- printf "%s-%s" (include "agentry.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "agentry.selectorLabels" -}}
app.kubernetes.io/name: {{ include "agentry.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* Labels without a component, for objects shared by all units. */}}
{{- define "agentry.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "agentry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: agentry
{{- end -}}

{{- define "agentry.labels" -}}
{{ include "agentry.commonLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "agentry.image" -}}
{{- $img := .Values.image -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $img.repository $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $img.repository (default .Chart.AppVersion $img.tag) -}}
{{- end -}}
{{- end -}}

{{/*
deepMerge: (list base override) -> YAML of base with override applied key by key.
Unlike sprig's merge/mergeOverwrite it keeps an override's false, 0 and "".
*/}}
{{- define "agentry.deepMerge" -}}
{{- $base := index . 0 | default dict -}}
{{- $over := index . 1 | default dict -}}
{{- $out := dict -}}
{{- range $k, $v := $base -}}
{{- if hasKey $over $k -}}
{{- $o := index $over $k -}}
{{- if and (kindIs "map" $v) (kindIs "map" $o) -}}
{{- $_ := set $out $k (include "agentry.deepMerge" (list $v $o) | fromYaml) -}}
{{- else -}}
{{- $_ := set $out $k $o -}}
{{- end -}}
{{- else -}}
{{- $_ := set $out $k $v -}}
{{- end -}}
{{- end -}}
{{- range $k, $o := $over -}}
{{- if not (hasKey $base $k) -}}
{{- $_ := set $out $k $o -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* The workloads to render, as YAML: name -> settings (defaults applied). */}}
{{- define "agentry.units" -}}
{{- $units := dict -}}
{{- if eq .Values.mode "embedded" -}}
{{- $e := .Values.embedded -}}
{{- $_ := set $units "embedded" (dict
    "service" "embedded"
    "replicas" 1
    "httpPort" 8080
    "grpcPort" 50058
    "public" true
    "peers" (list)
    "resources" $e.resources
    "autoscaling" (dict "enabled" false)
    "pdb" (dict "enabled" false)
    "terminationGracePeriodSeconds" $e.terminationGracePeriodSeconds
    "podAnnotations" $e.podAnnotations
    "nodeSelector" $e.nodeSelector
    "tolerations" $e.tolerations
    "affinity" $e.affinity
    "env" $e.env
    "persistence" $e.persistence) -}}
{{- else -}}
{{- range $name, $cfg := .Values.services -}}
{{- if $cfg.enabled -}}
{{- $u := include "agentry.deepMerge" (list $.Values.defaults $cfg) | fromYaml -}}
{{- $_ := set $u "service" $name -}}
{{- $_ := set $u "public" (eq $name "gateway") -}}
{{- $_ := set $units $name $u -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $units -}}
{{- end -}}

{{/* SCREAMING_SNAKE form of a service name: block-runner -> BLOCK_RUNNER */}}
{{- define "agentry.envName" -}}
{{- . | upper | replace "-" "_" -}}
{{- end -}}

{{- define "agentry.kafkaBrokers" -}}
{{- if .Values.eventLog.kafka.brokers -}}
{{- .Values.eventLog.kafka.brokers -}}
{{- else if .Values.kafka.enabled -}}
{{- printf "%s-kafka:9092" .Release.Name -}}
{{- end -}}
{{- end -}}

{{- define "agentry.natsUrl" -}}
{{- if .Values.eventLog.nats.url -}}
{{- .Values.eventLog.nats.url -}}
{{- else if .Values.nats.enabled -}}
{{- printf "nats://%s-nats:4222" .Release.Name -}}
{{- end -}}
{{- end -}}

{{- define "agentry.mongoUrl" -}}
{{- if .Values.readStore.mongo.url -}}
{{- .Values.readStore.mongo.url -}}
{{- else if .Values.mongodb.enabled -}}
{{- printf "mongodb://%s-mongodb:27017/agentry" .Release.Name -}}
{{- end -}}
{{- end -}}

{{- define "agentry.eventLogBackend" -}}
{{- if eq .Values.mode "embedded" -}}sqlite{{- else -}}{{ .Values.eventLog.backend }}{{- end -}}
{{- end -}}

{{- define "agentry.readStoreBackend" -}}
{{- if eq .Values.mode "embedded" -}}sqlite{{- else -}}{{ .Values.readStore.backend }}{{- end -}}
{{- end -}}

{{/* Stops rendering with a message naming the value when settings cannot work together. */}}
{{- define "agentry.validate" -}}
{{- $v := .Values -}}
{{- $keys := $v.secrets.keys -}}
{{- if ne $v.mode "embedded" -}}
{{- if and (eq $v.eventLog.backend "kafka") (not (include "agentry.kafkaBrokers" .)) (not (and $v.secrets.existingSecret $keys.kafkaBrokers)) -}}
{{- fail "eventLog.backend=kafka needs eventLog.kafka.brokers, secrets.keys.kafkaBrokers or kafka.enabled=true" -}}
{{- end -}}
{{- if and (eq $v.eventLog.backend "jetstream") (not (include "agentry.natsUrl" .)) -}}
{{- fail "eventLog.backend=jetstream needs eventLog.nats.url or nats.enabled=true" -}}
{{- end -}}
{{- if and (eq $v.readStore.backend "mongo") (not (include "agentry.mongoUrl" .)) (not (and $v.secrets.existingSecret $keys.mongoUrl)) -}}
{{- fail "readStore.backend=mongo needs readStore.mongo.url, secrets.keys.mongoUrl or mongodb.enabled=true" -}}
{{- end -}}
{{- end -}}
{{- if and (eq $v.mode "production") (not (and $v.secrets.existingSecret $keys.encryptionKey)) -}}
{{- fail "mode=production needs secrets.existingSecret with secrets.keys.encryptionKey (AGENTRY_ENCRYPTION_KEY)" -}}
{{- end -}}
{{- end -}}

{{/* env entries read from secrets.existingSecret; (dict "root" $) */}}
{{- define "agentry.secretEnv" -}}
{{- $v := .root.Values -}}
{{- if $v.secrets.existingSecret -}}
{{- $required := eq $v.mode "production" -}}
{{- $pairs := list
    (list "AGENTRY_ENCRYPTION_KEY" $v.secrets.keys.encryptionKey $required)
    (list "AGENTRY_JWT_PRIVATE_KEY" $v.secrets.keys.jwtPrivateKey false)
    (list "SENTRY_DSN" $v.secrets.keys.sentryDsn false)
    (list "MONGO_URL" $v.secrets.keys.mongoUrl false)
    (list "KAFKA_BROKERS" $v.secrets.keys.kafkaBrokers false) -}}
{{- range $pairs }}
{{- if index . 1 }}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.existingSecret }}
      key: {{ index . 1 }}
      optional: {{ not (index . 2) }}
{{- end }}
{{- end }}
{{- end -}}
{{- end -}}
