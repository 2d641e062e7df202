{{- define "rofs-guard.name" -}}{{ .Release.Name }}{{- end -}}
{{- define "rofs-guard.labels" -}}
app.kubernetes.io/name: rofs-guard
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}
{{- define "rofs-guard.selector" -}}
app.kubernetes.io/name: rofs-guard
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- define "rofs-guard.tlsSecret" -}}
{{- if eq .Values.certificates.mode "existingSecret" }}{{ .Values.certificates.existingSecret.name }}{{ else }}{{ .Release.Name }}-tls{{ end -}}
{{- end -}}
{{- define "rofs-guard.caAnnotations" -}}
{{- if eq .Values.certificates.mode "certManager" }}
annotations:
  cert-manager.io/inject-ca-from: {{ .Release.Namespace }}/{{ .Release.Name }}-serving
{{- end }}
{{- end -}}
{{- define "rofs-guard.clientConfig" -}}
clientConfig:
  service: {name: {{ .root.Release.Name }}, namespace: {{ .root.Release.Namespace }}, path: {{ .path }}, port: 443}
  {{- if eq .root.Values.certificates.mode "existingSecret" }}
  caBundle: {{ .root.Values.certificates.existingSecret.caBundle }}
  {{- end }}
{{- end -}}
