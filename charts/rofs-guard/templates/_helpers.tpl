{{/*
Names. The objects are named after the release (as before nameOverride/fullnameOverride existed, so an upgrade
keeps every name); fullnameOverride replaces that base, nameOverride the app.kubernetes.io/name label.
*/}}
{{- define "rofs-guard.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- define "rofs-guard.appName" -}}
{{- default "rofs-guard" .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "rofs-guard.labels" -}}
app.kubernetes.io/name: {{ include "rofs-guard.appName" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}
{{- define "rofs-guard.selector" -}}
app.kubernetes.io/name: {{ include "rofs-guard.appName" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- define "rofs-guard.image" -}}
"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
{{- end -}}
{{/* Pull secrets: the chart's own and, as a subchart, the parent's global ones. */}}
{{- define "rofs-guard.imagePullSecrets" -}}
{{- $secrets := concat (.Values.imagePullSecrets | default list) ((.Values.global).imagePullSecrets | default list) | uniq -}}
{{- with $secrets }}{{ dict "imagePullSecrets" . | toYaml }}{{ end -}}
{{- end -}}
{{/* Scheduling shared by the server, the hook and the test pod: they run where the server may run. */}}
{{- define "rofs-guard.scheduling" -}}
{{- $s := dict -}}
{{- with .Values.nodeSelector }}{{ $_ := set $s "nodeSelector" . }}{{ end -}}
{{- with .Values.tolerations }}{{ $_ := set $s "tolerations" . }}{{ end -}}
{{- with .Values.affinity }}{{ $_ := set $s "affinity" . }}{{ end -}}
{{- with $s }}{{ toYaml . }}{{ end -}}
{{- end -}}
{{/*
Pod security: non-root and RuntimeDefault seccomp always; the UID/GID only when set, because OpenShift's
restricted-v2 SCC assigns one from the namespace's range and rejects any other.
*/}}
{{- define "rofs-guard.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  {{- with .Values.podSecurityContext.runAsUser }}
  runAsUser: {{ . }}
  {{- end }}
  {{- with .Values.podSecurityContext.runAsGroup }}
  runAsGroup: {{ . }}
  {{- end }}
  seccompProfile: {type: RuntimeDefault}
{{- end -}}
{{- define "rofs-guard.containerSecurityContext" -}}
securityContext:
  readOnlyRootFilesystem: true
  allowPrivilegeEscalation: false
  runAsNonRoot: true
  capabilities: {drop: [ALL]}
  seccompProfile: {type: RuntimeDefault}
{{- end -}}
{{- define "rofs-guard.tlsSecret" -}}
{{- if eq .Values.certificates.mode "existingSecret" }}{{ .Values.certificates.existingSecret.name }}{{ else }}{{ include "rofs-guard.fullname" . }}-tls{{ end -}}
{{- end -}}
{{- define "rofs-guard.caAnnotations" -}}
{{- if eq .Values.certificates.mode "certManager" }}
annotations:
  cert-manager.io/inject-ca-from: {{ .Release.Namespace }}/{{ include "rofs-guard.fullname" . }}-serving
{{- end }}
{{- end -}}
{{- define "rofs-guard.clientConfig" -}}
clientConfig:
  service: {name: {{ include "rofs-guard.fullname" .root }}, namespace: {{ .root.Release.Namespace }}, path: {{ .path }}, port: 443}
  {{- if eq .root.Values.certificates.mode "existingSecret" }}
  caBundle: {{ .root.Values.certificates.existingSecret.caBundle }}
  {{- end }}
{{- end -}}
{{/* The sleep preStop action is beta (on by default) from Kubernetes 1.30; earlier API servers reject it. */}}
{{- define "rofs-guard.preStopSleep" -}}
{{- if and (gt (int .Values.shutdown.preStopSeconds) 0) (semverCompare ">=1.30.0-0" .Capabilities.KubeVersion.Version) -}}
true
{{- end -}}
{{- end -}}
{{/*
Labels of the hook and test pods: never the Deployment's selector, or the Service would send admissions to them.
Call with (dict "root" . "component" "...").
*/}}
{{- define "rofs-guard.hookLabels" -}}
app.kubernetes.io/name: {{ include "rofs-guard.appName" .root }}-{{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ .root.Chart.Name }}-{{ .root.Chart.Version }}
{{- end -}}
{{/*
The pod spec of a hook or test pod: rofs-guard's own image running one CLI command, hardened like the server.
Call with (dict "root" . "name" "..." "component" "..." "args" (list ...)); "policy" true mounts the release's policy.
*/}}
{{- define "rofs-guard.hookPod" -}}
{{- $root := .root -}}
serviceAccountName: {{ .name }}
automountServiceAccountToken: true
restartPolicy: Never
{{- with include "rofs-guard.imagePullSecrets" $root }}{{ . | nindent 0 }}{{ end }}
{{- include "rofs-guard.podSecurityContext" $root | nindent 0 }}
{{- with include "rofs-guard.scheduling" $root }}{{ . | nindent 0 }}{{ end }}
containers:
  - name: {{ .component }}
    image: {{ include "rofs-guard.image" $root }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    args: {{ toJson .args }}
    resources: {{- toYaml $root.Values.hooks.resources | nindent 6 }}
    {{- include "rofs-guard.containerSecurityContext" $root | nindent 4 }}
    volumeMounts:
      - {name: tmp, mountPath: /tmp}
      {{- if .policy }}
      - {name: policy, mountPath: /etc/rofs-guard/policy, readOnly: true}
      {{- end }}
volumes:
  - name: tmp
    emptyDir: {sizeLimit: 16Mi}
  {{- if .policy }}
  - name: policy
    configMap: {name: {{ include "rofs-guard.fullname" $root }}-policy}
  {{- end }}
{{- end -}}
