{{- define "capig.fullname" -}}
{{- printf "%s-capig" .Release.Name -}}
{{- end -}}

{{- define "capig.labels" -}}
app.kubernetes.io/name: capig
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "capig.selector" -}}
app.kubernetes.io/name: capig
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "capig.secretName" -}}
{{- if .Values.existingSecret -}}
{{- .Values.existingSecret -}}
{{- else -}}
{{- include "capig.fullname" . -}}
{{- end -}}
{{- end -}}
